using System.Globalization;
using System.Net;
using System.Text.Json;
using Maas.Core.Tensors;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Tensors;

/// <summary>Every Open Inference Protocol datatype goes through an Identity model and comes back exactly as sent.</summary>
[Collection(TensorServerCollection.Name)]
public sealed class DatatypeMatrixTests(TensorServerFixture fixture)
{
    /// <summary>Six values per datatype (a 2x3 tensor, row-major), with the type's edge values.</summary>
    public static TheoryData<string, string[]> Values => new()
    {
        { "BOOL", ["true", "false", "false", "true", "true", "false"] },
        { "UINT8", ["0", "255", "1", "128", "254", "7"] },
        { "UINT16", ["0", "65535", "1", "32768", "65534", "300"] },
        { "UINT32", ["0", "4294967295", "1", "2147483648", "4294967294", "70000"] },
        { "UINT64", ["0", "18446744073709551615", "1", "9223372036854775808", "18446744073709551614", "4294967296"] },
        { "INT8", ["-128", "127", "0", "-1", "1", "-100"] },
        { "INT16", ["-32768", "32767", "0", "-1", "1", "-300"] },
        { "INT32", ["-2147483648", "2147483647", "0", "-1", "1", "-70000"] },
        { "INT64", ["-9223372036854775808", "9223372036854775807", "0", "-1", "1", "-4294967296"] },
        // FP16 values are exactly representable: the largest finite half, the smallest normal half, fractions.
        { "FP16", ["65504", "-65504", "6.103515625E-05", "-0.5", "1.5", "0.0999755859375"] },
        { "FP32", ["3.4028235E+38", "-3.4028235E+38", "1.17549435E-38", "-2.75", "0.1", "1234567.875"] },
        { "FP64", ["1.7976931348623157E+308", "-1.7976931348623157E+308", "5E-324", "-2.75", "0.1", "123456789.123456789"] },
        { "BYTES", ["\"\"", "\"plain\"", "\"h\u00e9llo\"", "\"\u65e5\u672c\u8a9e\"", "\"emoji \\ud83d\\ude42\"", "\"quote \\\" and \\\\ backslash\""] },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public async Task Infer_IdentityModelFlatData_ReturnsSameDatatypeShapeAndValues(string datatype, string[] values)
    {
        var model = await PushIdentityAsync(datatype);

        var output = await InferAsync(model, datatype, "[" + string.Join(", ", values) + "]");

        AssertSameTensor(datatype, values, output);
    }

    [Theory]
    [MemberData(nameof(Values))]
    public async Task Infer_IdentityModelNestedData_ReturnsSameValuesAsFlat(string datatype, string[] values)
    {
        var model = await PushIdentityAsync(datatype);
        var nested = $"[[{string.Join(", ", values[..3])}], [{string.Join(", ", values[3..])}]]";

        var output = await InferAsync(model, datatype, nested);

        AssertSameTensor(datatype, values, output);
    }

    private async Task<string> PushIdentityAsync(string datatype)
    {
        Assert.True(TensorDataTypes.TryParse(datatype, out var type));
        return await fixture.PushAsync("identity-" + datatype.ToLowerInvariant(), TensorModels.Identity(type));
    }

    private async Task<JsonElement> InferAsync(string model, string datatype, string data)
    {
        var body = $$"""{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "{{datatype}}", "data": {{data}}}]}""";
        var (status, response) = await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", body);
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {response}");
        Assert.Equal(model, response.GetProperty("model_name").GetString());
        Assert.Equal("1", response.GetProperty("model_version").GetString());
        var outputs = response.GetProperty("outputs");
        Assert.Equal(1, outputs.GetArrayLength());
        return outputs[0];
    }

    private static void AssertSameTensor(string datatype, string[] sent, JsonElement output)
    {
        Assert.Equal("y", output.GetProperty("name").GetString());
        Assert.Equal(datatype, output.GetProperty("datatype").GetString());
        Assert.Equal([2L, 3L], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        var data = output.GetProperty("data");
        Assert.Equal(sent.Length, data.GetArrayLength());
        for (var i = 0; i < sent.Length; i++)
        {
            using var expected = JsonDocument.Parse(sent[i]);
            Assert.True(SameValue(datatype, expected.RootElement, data[i]), $"element {i}: sent {sent[i]}, got {data[i].GetRawText()}");
        }
    }

    /// <summary>Compares in the datatype's own domain: floats are written in their shortest round-trip form.</summary>
    private static bool SameValue(string datatype, JsonElement expected, JsonElement actual) => datatype switch
    {
        "BOOL" => actual.ValueKind == expected.ValueKind,
        "BYTES" => actual.ValueKind == JsonValueKind.String && actual.GetString() == expected.GetString(),
        "FP16" => actual.ValueKind == JsonValueKind.Number && (Half)actual.GetDouble() == (Half)expected.GetDouble(),
        "FP32" => actual.ValueKind == JsonValueKind.Number && (float)actual.GetDouble() == (float)expected.GetDouble(),
        "FP64" => actual.ValueKind == JsonValueKind.Number && actual.GetDouble() == expected.GetDouble(),
        _ => actual.ValueKind == JsonValueKind.Number
            && decimal.Parse(actual.GetRawText(), CultureInfo.InvariantCulture) == decimal.Parse(expected.GetRawText(), CultureInfo.InvariantCulture),
    };
}
