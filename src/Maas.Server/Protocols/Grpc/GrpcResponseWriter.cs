using System.Globalization;
using Google.Protobuf;
using Maas.Core.Inference;
using Maas.Core.Tensors;
using Maas.Server.Protocols.Grpc.Inference;

namespace Maas.Server.Protocols.Grpc;

/// <summary>Builds a <see cref="ModelInferResponse"/> from an inference result.</summary>
/// <remarks>Outputs go in <c>raw_output_contents</c> when the request sent raw inputs or when an output has no typed
/// field (FP16), else in typed <c>contents</c>; the protocol lets the server choose, and clients read both.</remarks>
internal static class GrpcResponseWriter
{
    public static ModelInferResponse Write(string model, int version, string? id, InferenceResult result, bool raw)
    {
        var response = new ModelInferResponse
        {
            ModelName = model,
            ModelVersion = version.ToString(CultureInfo.InvariantCulture),
            Id = id ?? string.Empty,
        };
        raw |= result.Outputs.Any(o => o.DataType == TensorDataType.Fp16);
        foreach (var output in result.Outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.DataType.ToProtocolName() };
            tensor.Shape.AddRange(output.Shape);
            if (raw)
            {
                // One copy, out of the pooled tensor that is returned when the call ends.
                response.RawOutputContents.Add(ByteString.CopyFrom(output.Memory.Span));
            }
            else
            {
                tensor.Contents = Contents(output);
            }

            response.Outputs.Add(tensor);
        }

        return response;
    }

    private static InferTensorContents Contents(Tensor tensor)
    {
        var contents = new InferTensorContents();
        switch (tensor.DataType)
        {
            case TensorDataType.Bool: contents.BoolContents.AddRange(tensor.AsSpan<bool>().ToArray()); break;
            case TensorDataType.Int8: foreach (var v in tensor.AsSpan<sbyte>()) { contents.IntContents.Add(v); } break;
            case TensorDataType.Int16: foreach (var v in tensor.AsSpan<short>()) { contents.IntContents.Add(v); } break;
            case TensorDataType.Int32: contents.IntContents.AddRange(tensor.AsSpan<int>().ToArray()); break;
            case TensorDataType.Int64: contents.Int64Contents.AddRange(tensor.AsSpan<long>().ToArray()); break;
            case TensorDataType.UInt8: foreach (var v in tensor.AsSpan<byte>()) { contents.UintContents.Add(v); } break;
            case TensorDataType.UInt16: foreach (var v in tensor.AsSpan<ushort>()) { contents.UintContents.Add(v); } break;
            case TensorDataType.UInt32: contents.UintContents.AddRange(tensor.AsSpan<uint>().ToArray()); break;
            case TensorDataType.UInt64: contents.Uint64Contents.AddRange(tensor.AsSpan<ulong>().ToArray()); break;
            case TensorDataType.Fp32: contents.Fp32Contents.AddRange(tensor.AsSpan<float>().ToArray()); break;
            case TensorDataType.Fp64: contents.Fp64Contents.AddRange(tensor.AsSpan<double>().ToArray()); break;
            case TensorDataType.Bytes:
                foreach (var element in tensor.EnumerateBytes())
                {
                    contents.BytesContents.Add(ByteString.CopyFrom(element.Span));
                }

                break;
            default:
                throw new InvalidOperationException($"{tensor.DataType.ToProtocolName()} has no typed contents.");
        }

        return contents;
    }
}
