using System.Text.Json;
using Maas.Core.Inference;
using Maas.Core.Tensors;
using Maas.Server.Http;
using Microsoft.AspNetCore.Http;

namespace Maas.Server.Protocols.V2;

/// <summary>Writes an Open Inference Protocol v2 inference response straight to the response body.</summary>
internal static class V2ResponseWriter
{
    public static async Task WriteAsync(HttpResponse response, string model, int version, string? id, InferenceResult result, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, ServerJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("model_name", model);
            writer.WriteString("model_version", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (id is not null)
            {
                writer.WriteString("id", id);
            }

            writer.WriteStartArray("outputs");
            foreach (var output in result.Outputs)
            {
                WriteTensor(writer, output);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteTensor(Utf8JsonWriter writer, Tensor tensor)
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
        writer.WritePropertyName("data");
        TensorJson.WriteData(writer, tensor);
        writer.WriteEndObject();
    }
}
