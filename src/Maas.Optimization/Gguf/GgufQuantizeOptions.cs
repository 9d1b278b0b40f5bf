using System.Text.Json;
using Maas.Core.Errors;

namespace Maas.Optimization.Gguf;

/// <summary>Options of the GGUF quantize passes: <c>{"threads": n?, "allow_fallback": bool?}</c>.</summary>
internal sealed record GgufQuantizeOptions(int? Threads, bool AllowFallback)
{
    public static GgufQuantizeOptions Parse(JsonElement options)
    {
        if (options.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return new GgufQuantizeOptions(null, false);
        }

        if (options.ValueKind != JsonValueKind.Object)
        {
            throw MaasException.InvalidArgument("GGUF quantization options must be an object.");
        }

        int? threads = null;
        var allowFallback = false;
        foreach (var property in options.EnumerateObject())
        {
            switch (property.Name)
            {
                case "threads":
                    threads = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var t) && t is >= 1 and <= 1024
                        ? t
                        : throw MaasException.InvalidArgument("Option 'threads' must be an integer from 1 to 1024.");
                    break;
                case "allow_fallback":
                    allowFallback = property.Value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw MaasException.InvalidArgument("Option 'allow_fallback' must be true or false."),
                    };
                    break;
                default:
                    throw MaasException.InvalidArgument($"Unknown GGUF quantization option '{property.Name}'; expected threads, allow_fallback.");
            }
        }

        return new GgufQuantizeOptions(threads, allowFallback);
    }
}
