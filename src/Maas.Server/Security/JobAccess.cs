using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;

namespace Maas.Server.Security;

/// <summary>Jobs belong to the model in their <c>model</c> parameter: a caller sees a job when it sees that model
/// (a job without one: admin and unrestricted keys only); a job it cannot see answers as a missing job.</summary>
internal static class JobAccess
{
    /// <summary>The model a job's parameters name, or null.</summary>
    public static string? ModelOf(JsonElement parameters) =>
        parameters.ValueKind == JsonValueKind.Object
        && parameters.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String
        && ModelReference.TryParse(model.GetString()!, null, out var reference, out _)
            ? reference.Name
            : null;

    public static bool CanSee(this CallerAccess access, JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(job);
        return ModelOf(job.Parameters) is { } model ? access.CanSee(model) : access.IsUnrestricted;
    }

    /// <summary>NotFound (as for a missing job) when invisible; PermissionDenied when the role lacks <paramref name="action"/>.</summary>
    public static void Require(this CallerAccess access, JobRecord job, ModelAction action)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(job);
        if (!access.CanSee(job))
        {
            throw MaasException.NotFound($"Job '{job.Id}' not found.");
        }

        access.Require(action);
    }

    /// <summary>Submitting a job is publishing to its model; a job about no model is for admins.</summary>
    public static void RequireSubmit(this CallerAccess access, JsonElement parameters)
    {
        ArgumentNullException.ThrowIfNull(access);
        if (ModelOf(parameters) is { } model)
        {
            access.Require(model, ModelAction.Publish);
        }
        else
        {
            access.Require(ModelAction.Administer);
        }
    }
}
