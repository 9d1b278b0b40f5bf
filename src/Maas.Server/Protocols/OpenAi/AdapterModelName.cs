using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;

namespace Maas.Server.Protocols.OpenAi;

/// <summary>The OpenAI <c>model</c> field naming a LoRA adapter over its base: <c>base+adapter</c> (each part a
/// reference: <c>name</c>, <c>name:version</c>, <c>name@alias</c>), or just the adapter's own name.</summary>
/// <remarks>The adapter is what is routed and served (its version carries the base's file, and the llama engine
/// shares the base weights); the base part is checked against the adapter's recorded base, so a client that names a
/// base the adapter was not made for gets a 400 instead of silently different output.</remarks>
internal sealed record AdapterModelName(ModelReference Reference, string? BaseModel)
{
    public static AdapterModelName Parse(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var plus = model.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0)
        {
            return new AdapterModelName(ModelReference.Parse(model), null);
        }

        var basePart = ModelReference.Parse(model[..plus]);
        return new AdapterModelName(ModelReference.Parse(model[(plus + 1)..]), basePart.Name);
    }

    /// <summary>Throws 400 when the request named a base and <paramref name="version"/> is not an adapter of it.</summary>
    public void Check(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (BaseModel is null)
        {
            return;
        }

        if (!AdapterProperties.IsAdapter(version.Manifest))
        {
            throw MaasException.InvalidArgument($"Model {Reference.Name} is not a LoRA adapter; 'base+adapter' names an adapter after its base.");
        }

        var recorded = version.Manifest.Properties.GetValueOrDefault(AdapterProperties.BaseModel);
        if (!string.Equals(recorded, BaseModel, StringComparison.Ordinal))
        {
            throw MaasException.InvalidArgument($"Adapter {version.Key} was made for base '{recorded}', not '{BaseModel}'.");
        }
    }
}
