using System.Security.Claims;
using Maas.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Maas.Server.Security;

/// <summary>What the caller of a request may see and do: the one place that decides authorization.</summary>
/// <remarks>
/// A model outside the caller's patterns does not exist for it: every check answers NotFound with the same message
/// as for a missing model, so a key cannot probe which models exist. An action its role lacks on a model it can see
/// is PermissionDenied (403). Admin ignores patterns.
/// </remarks>
internal sealed class CallerAccess
{
    private static readonly object ItemKey = new();
    private readonly IReadOnlyList<string> _patterns;

    private CallerAccess(string role, IReadOnlyList<string> patterns, string actor)
    {
        Role = role;
        _patterns = patterns;
        Actor = actor;
    }

    public string Role { get; }

    /// <summary>The audit actor (<see cref="MaasPrincipal.Actor"/>).</summary>
    public string Actor { get; }

    public bool IsAdmin => Role == MaasRoles.Admin;

    /// <summary>Admin, or a key without model patterns: every model exists for it.</summary>
    public bool IsUnrestricted => IsAdmin || _patterns.Count == 0;

    /// <summary>The caller of <paramref name="context"/>; Unauthenticated when authentication put no Maas role on it
    /// (fails closed if the pipeline is misconfigured).</summary>
    public static CallerAccess Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(ItemKey, out var cached) && cached is CallerAccess access)
        {
            return access;
        }

        access = From(context.User);
        context.Items[ItemKey] = access;
        return access;
    }

    public static CallerAccess From(ClaimsPrincipal? user)
    {
        var role = user?.FindFirst(MaasClaims.Role)?.Value;
        if (!MaasRoles.IsValid(role))
        {
            throw MaasException.Unauthenticated("Authentication required: send an API key as 'Authorization: Bearer <key>' or 'x-api-key'.");
        }

        var patterns = user!.FindAll(MaasClaims.ModelPattern).Select(c => c.Value).ToList();
        return new CallerAccess(role!, patterns, MaasPrincipal.Actor(user));
    }

    /// <summary>Whether the model exists for this caller (its patterns match, or it has none, or it is admin).</summary>
    public bool CanSee(string model) =>
        IsAdmin || _patterns.Count == 0 || _patterns.Any(p => ModelPattern.Matches(p, model));

    /// <summary>Whether the role may do <paramref name="action"/> at all.</summary>
    public bool Allows(ModelAction action) => action switch
    {
        ModelAction.Read => true,
        ModelAction.Infer => Role is MaasRoles.Admin or MaasRoles.Publisher or MaasRoles.Inference,
        ModelAction.Inspect => Role is MaasRoles.Admin or MaasRoles.Publisher or MaasRoles.Viewer,
        ModelAction.Publish or ModelAction.Download => Role is MaasRoles.Admin or MaasRoles.Publisher,
        ModelAction.Metrics => Role is MaasRoles.Admin or MaasRoles.Viewer,
        _ => IsAdmin,
    };

    /// <summary>Throws NotFound (<paramref name="notFound"/>, else the registry's message) when the caller cannot see
    /// the model, PermissionDenied when it can but its role lacks <paramref name="action"/>.</summary>
    public void Require(string model, ModelAction action, Func<string, string>? notFound = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!CanSee(model))
        {
            throw MaasException.NotFound(notFound?.Invoke(model) ?? ModelNotFound(model));
        }

        if (!Allows(action))
        {
            throw MaasException.PermissionDenied(Denied(action) + $" on model '{model}'.");
        }
    }

    /// <summary>Throws PermissionDenied when the role lacks <paramref name="action"/> (endpoints not about one model).</summary>
    public void Require(ModelAction action)
    {
        if (!Allows(action))
        {
            throw MaasException.PermissionDenied(Denied(action) + ".");
        }
    }

    /// <summary>The registry's message for a model that does not exist.</summary>
    public static string ModelNotFound(string model) => $"model '{model}' not found";

    private string Denied(ModelAction action) => $"The role '{Role}' may not {action switch
    {
        ModelAction.Infer => "call models",
        ModelAction.Inspect => "read the admin API",
        ModelAction.Publish => "publish, alias, deploy or optimize models",
        ModelAction.Download => "download model files",
        ModelAction.Delete => "delete versions",
        ModelAction.Metrics => "read metrics",
        ModelAction.Administer => "manage keys or read the audit log",
        _ => "do this",
    }}";
}
