using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Models;

namespace Maas.Optimization.Jobs;

/// <summary>The parameters of a <c>quantize</c> job: <c>{"model": "name" | "name:3" | "name@alias", "version": 3?,
/// "method": "dynamic-int8", "alias": "int8"?, "options": {...}?, "calibration": [samples]?}</c>.</summary>
internal sealed record QuantizeParameters(ModelReference Model, string Method, string? Alias, JsonElement Options, JsonElement? Calibration)
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal) { "model", "version", "method", "alias", "options", "calibration" };

    public static QuantizeParameters Parse(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            throw MaasException.InvalidArgument("The quantize job's parameters must be an object with 'model' and 'method'.");
        }

        foreach (var property in parameters.EnumerateObject())
        {
            if (!Known.Contains(property.Name))
            {
                throw MaasException.InvalidArgument($"Unknown quantize parameter '{property.Name}'; expected {string.Join(", ", Known)}.");
            }
        }

        var model = String(parameters, "model") ?? throw MaasException.InvalidArgument("The quantize job needs 'model' (a model name).");
        string? version = null;
        if (parameters.TryGetProperty("version", out var v) && v.ValueKind != JsonValueKind.Null)
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var number) || number < 1)
            {
                throw MaasException.InvalidArgument("'version' must be a positive integer.");
            }

            version = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var reference = ModelReference.Parse(model, version);
        var method = String(parameters, "method") ?? throw MaasException.InvalidArgument("The quantize job needs 'method' (e.g. dynamic-int8).");
        var alias = String(parameters, "alias");
        if (alias is not null && !ModelNames.IsValid(alias))
        {
            throw MaasException.InvalidArgument($"Alias '{alias}' is not valid: {ModelNames.Rule}");
        }

        var options = EmptyObject;
        if (parameters.TryGetProperty("options", out var o) && o.ValueKind != JsonValueKind.Null)
        {
            options = o.ValueKind == JsonValueKind.Object ? o.Clone() : throw MaasException.InvalidArgument("'options' must be an object.");
        }

        JsonElement? calibration = null;
        if (parameters.TryGetProperty("calibration", out var c) && c.ValueKind != JsonValueKind.Null)
        {
            calibration = c.ValueKind == JsonValueKind.Array ? c.Clone() : throw MaasException.InvalidArgument("'calibration' must be an array of samples.");
        }

        return new QuantizeParameters(reference, method.Trim(), alias, options, calibration);
    }

    private static string? String(JsonElement parameters, string name)
    {
        if (!parameters.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : throw MaasException.InvalidArgument($"'{name}' must be a non-empty string.");
    }
}
