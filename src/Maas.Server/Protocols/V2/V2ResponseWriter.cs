using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Maas.Core.Tensors;
using Maas.Server.Http;
using Microsoft.AspNetCore.Http;

namespace Maas.Server.Protocols.V2;

/// <summary>Writes an Open Inference Protocol v2 inference response straight to the response body.</summary>
/// <remarks>Outputs the request wants in binary (binary tensor data extension) go after the JSON part, in output
/// order, each announced by <c>parameters.binary_data_size</c>; the <c>Inference-Header-Content-Length</c> header gives
/// the JSON part's length and the content type becomes <c>application/octet-stream</c>. Either way the response carries
/// its Content-Length (a JSON-only answer is a <see cref="JsonBody"/>).</remarks>
internal static class V2ResponseWriter
{
    public static async Task WriteAsync(HttpResponse response, string model, int version, string? id, IReadOnlyList<Tensor> outputs, Func<string, bool> binary, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        var sizes = new long[outputs.Count];
        var anyBinary = false;
        for (var i = 0; i < outputs.Count; i++)
        {
            sizes[i] = binary(outputs[i].Name) ? V2BinaryData.SizeOf(outputs[i]) : -1;
            anyBinary |= sizes[i] >= 0;
        }

        if (!anyBinary)
        {
            await JsonBody.SendAsync(response, writer => WriteJson(writer, model, version, id, outputs, sizes), cancellationToken).ConfigureAwait(false);
            return;
        }

        var json = new ArrayBufferWriter<byte>();
        await using (var writer = new Utf8JsonWriter(json, ServerJson.WriterOptions))
        {
            WriteJson(writer, model, version, id, outputs, sizes);
        }

        response.ContentType = "application/octet-stream";
        response.Headers[V2BinaryData.HeaderContentLength] = json.WrittenCount.ToString(CultureInfo.InvariantCulture);
        response.ContentLength = json.WrittenCount + sizes.Where(s => s > 0).Sum();
        await response.BodyWriter.WriteAsync(json.WrittenMemory, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < outputs.Count; i++)
        {
            if (sizes[i] > 0)
            {
                V2BinaryData.Write(outputs[i], response.BodyWriter);
                await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteJson(Utf8JsonWriter writer, string model, int version, string? id, IReadOnlyList<Tensor> outputs, long[] binarySizes)
    {
        writer.WriteStartObject();
        writer.WriteString("model_name", model);
        writer.WriteString("model_version", version.ToString(CultureInfo.InvariantCulture));
        if (id is not null)
        {
            writer.WriteString("id", id);
        }

        writer.WriteStartArray("outputs");
        for (var i = 0; i < outputs.Count; i++)
        {
            WriteTensor(writer, outputs[i], binarySizes[i]);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteTensor(Utf8JsonWriter writer, Tensor tensor, long binarySize)
    {
        writer.WriteStartObject();
        writer.WriteString("name", tensor.Name);
        writer.WriteString("datatype", tensor.DataType.ToProtocolName());
        writer.WriteStartArray("shape");
        foreach (var dim in tensor.Shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
        if (binarySize >= 0)
        {
            writer.WriteStartObject("parameters");
            writer.WriteNumber(V2BinaryData.BinaryDataSize, binarySize);
            writer.WriteEndObject();
        }
        else
        {
            writer.WritePropertyName("data");
            TensorJson.WriteData(writer, tensor);
        }

        writer.WriteEndObject();
    }
}
