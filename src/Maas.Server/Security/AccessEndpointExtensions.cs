using Maas.Core.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Maas.Server.Security;

/// <summary>Endpoint filters that apply <see cref="CallerAccess"/> before a handler runs.</summary>
internal static class AccessEndpointExtensions
{
    /// <summary>The model named by route value <paramref name="routeValue"/> (<c>name</c>, <c>name@alias</c>,
    /// <c>name:version</c>) must be visible to the caller (else 404) and <paramref name="action"/> allowed (else 403).</summary>
    /// <remarks>A value that is not a valid reference passes through: the handler answers 400, whoever asks.</remarks>
    public static TBuilder RequireModel<TBuilder>(this TBuilder builder, ModelAction action, string routeValue = "name", Func<string, string>? notFound = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.Request.RouteValues.TryGetValue(routeValue, out var value) && value is string text
                && ModelReference.TryParse(text, null, out var reference, out _))
            {
                CallerAccess.Of(http).Require(reference.Name, action, notFound);
            }
            else
            {
                CallerAccess.Of(http).Require(action);
            }

            return await next(context).ConfigureAwait(false);
        });

    /// <summary>The caller's role must allow <paramref name="action"/> (endpoints not about one model; lists filter
    /// their items with <see cref="CallerAccess.CanSee"/>).</summary>
    public static TBuilder RequireAction<TBuilder>(this TBuilder builder, ModelAction action)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            CallerAccess.Of(context.HttpContext).Require(action);
            return await next(context).ConfigureAwait(false);
        });
}
