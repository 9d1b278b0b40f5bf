using Google.Protobuf;
using Google.Protobuf.Collections;
using Maas.Core.Errors;
using Maas.Core.Inference;
using Maas.Core.Tensors;
using Maas.Server.Protocols.Grpc.Inference;

namespace Maas.Server.Protocols.Grpc;

/// <summary>Turns a <see cref="ModelInferRequest"/> into an <see cref="InferenceRequest"/>.</summary>
/// <remarks>
/// Raw contents become tensors over the message's own bytes (no copy; the message lives as long as the call);
/// typed contents are copied into pooled tensors. Either way the element count, byte length and BYTES framing are
/// checked against the shape, and every failure is an <see cref="MaasErrorKind.InvalidArgument"/>.
/// </remarks>
internal static class GrpcRequestReader
{
    public static InferenceRequest Read(ModelInferRequest message, int maxElements)
    {
        if (message.Inputs.Count == 0)
        {
            throw MaasException.InvalidArgument("The inference request has no inputs.");
        }

        var raw = message.RawInputContents.Count > 0;
        if (raw && message.RawInputContents.Count != message.Inputs.Count)
        {
            throw MaasException.InvalidArgument($"'raw_input_contents' has {message.RawInputContents.Count} entries but there are {message.Inputs.Count} inputs; give one per input, in order.");
        }

        var inputs = new List<Tensor>(message.Inputs.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            for (var i = 0; i < message.Inputs.Count; i++)
            {
                var input = message.Inputs[i];
                if (!names.Add(input.Name))
                {
                    throw MaasException.InvalidArgument($"Input '{input.Name}' is given twice.");
                }

                if (raw && input.Contents is not null)
                {
                    throw MaasException.InvalidArgument($"Input '{input.Name}' has 'contents' although the request uses 'raw_input_contents'; use one or the other.");
                }

                inputs.Add(raw ? ReadRaw(input, message.RawInputContents[i], maxElements) : ReadTyped(input, maxElements));
            }

            return new InferenceRequest
            {
                Id = message.Id.Length == 0 ? null : message.Id,
                Inputs = inputs,
                RequestedOutputs = message.Outputs.Count == 0 ? null : message.Outputs.Select(o => o.Name).ToList(),
                Parameters = Parameters(message.Parameters),
            };
        }
        catch
        {
            inputs.ForEach(t => t.Dispose());
            throw;
        }
    }

    /// <summary>Request parameters as plain values (bool, long, string), as the JSON reader passes them on.</summary>
    private static Dictionary<string, object?>? Parameters(MapField<string, InferParameter> parameters)
    {
        if (parameters.Count == 0)
        {
            return null;
        }

        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in parameters)
        {
            result[key] = value.ParameterChoiceCase switch
            {
                InferParameter.ParameterChoiceOneofCase.BoolParam => value.BoolParam,
                InferParameter.ParameterChoiceOneofCase.Int64Param => value.Int64Param,
                InferParameter.ParameterChoiceOneofCase.StringParam => value.StringParam,
                _ => null,
            };
        }

        return result;
    }

    private static (TensorDataType Type, long[] Shape, int Count) Describe(ModelInferRequest.Types.InferInputTensor input, int maxElements)
    {
        if (string.IsNullOrEmpty(input.Name))
        {
            throw MaasException.InvalidArgument("An input has no 'name'.");
        }

        if (!TensorDataTypes.TryParse(input.Datatype, out var type))
        {
            throw MaasException.InvalidArgument($"Input '{input.Name}' has datatype '{input.Datatype}'; expected one of {string.Join(", ", TensorDataTypes.All.Select(t => t.ToProtocolName()))}.");
        }

        var shape = input.Shape.ToArray();
        if (shape.Length > 32)
        {
            throw MaasException.InvalidArgument($"Input '{input.Name}' has more than 32 dimensions.");
        }

        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw MaasException.InvalidArgument($"Input '{input.Name}' has a negative dimension in [{string.Join(", ", shape)}].");
            }

            count = dim != 0 && count > maxElements / dim ? (long)maxElements + 1 : count * dim;
            if (count > maxElements)
            {
                throw new MaasException(MaasErrorKind.PayloadTooLarge, $"Input '{input.Name}' has more than {maxElements} elements, the server's limit.");
            }
        }

        if (shape.Length > 0 && shape[0] == 0)
        {
            throw MaasException.InvalidArgument($"Input '{input.Name}' is an empty batch (shape [{string.Join(", ", shape)}]); send at least one item.");
        }

        return (type, shape, (int)count);
    }

    private static Tensor ReadRaw(ModelInferRequest.Types.InferInputTensor input, ByteString bytes, int maxElements)
    {
        var (type, shape, _) = Describe(input, maxElements);
        try
        {
            return Tensor.FromBytes(input.Name, type, shape, bytes.Memory);
        }
        catch (ArgumentException ex)
        {
            throw MaasException.InvalidArgument($"Input '{input.Name}' raw contents: {ex.Message.Split(" (Parameter")[0]}");
        }
    }

    private static Tensor ReadTyped(ModelInferRequest.Types.InferInputTensor input, int maxElements)
    {
        var (type, shape, count) = Describe(input, maxElements);
        var contents = input.Contents ?? throw MaasException.InvalidArgument($"Input '{input.Name}' has neither 'contents' nor raw contents.");
        return type switch
        {
            TensorDataType.Bool => Copy(input.Name, shape, count, contents.BoolContents, "bool_contents", static v => v),
            TensorDataType.Int8 => Copy(input.Name, shape, count, contents.IntContents, "int_contents", static v => checked((sbyte)v)),
            TensorDataType.Int16 => Copy(input.Name, shape, count, contents.IntContents, "int_contents", static v => checked((short)v)),
            TensorDataType.Int32 => Copy(input.Name, shape, count, contents.IntContents, "int_contents", static v => v),
            TensorDataType.Int64 => Copy(input.Name, shape, count, contents.Int64Contents, "int64_contents", static v => v),
            TensorDataType.UInt8 => Copy(input.Name, shape, count, contents.UintContents, "uint_contents", static v => checked((byte)v)),
            TensorDataType.UInt16 => Copy(input.Name, shape, count, contents.UintContents, "uint_contents", static v => checked((ushort)v)),
            TensorDataType.UInt32 => Copy(input.Name, shape, count, contents.UintContents, "uint_contents", static v => v),
            TensorDataType.UInt64 => Copy(input.Name, shape, count, contents.Uint64Contents, "uint64_contents", static v => v),
            TensorDataType.Fp32 => Copy(input.Name, shape, count, contents.Fp32Contents, "fp32_contents", static v => v),
            TensorDataType.Fp64 => Copy(input.Name, shape, count, contents.Fp64Contents, "fp64_contents", static v => v),
            TensorDataType.Bytes => ReadBytes(input.Name, shape, count, contents.BytesContents),
            _ => throw MaasException.InvalidArgument($"Input '{input.Name}' is {type.ToProtocolName()}, which has no typed contents; send it in 'raw_input_contents'."),
        };
    }

    private static Tensor Copy<TIn, TOut>(string name, long[] shape, int count, RepeatedField<TIn> values, string field, Func<TIn, TOut> convert)
        where TOut : unmanaged
    {
        if (values.Count != count)
        {
            throw MaasException.InvalidArgument($"Input '{name}' has shape [{string.Join(", ", shape)}], which needs {count} elements, but '{field}' holds {values.Count}.");
        }

        var tensor = Tensor.Rent<TOut>(name, shape);
        try
        {
            var span = tensor.AsSpan<TOut>();
            for (var i = 0; i < count; i++)
            {
                span[i] = convert(values[i]);
            }

            return tensor;
        }
        catch (OverflowException)
        {
            tensor.Dispose();
            throw MaasException.InvalidArgument($"Input '{name}': a value in '{field}' is out of range for {TensorDataTypes.Of<TOut>().ToProtocolName()}.");
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static Tensor ReadBytes(string name, long[] shape, int count, RepeatedField<ByteString> values)
    {
        if (values.Count != count)
        {
            throw MaasException.InvalidArgument($"Input '{name}' has shape [{string.Join(", ", shape)}], which needs {count} elements, but 'bytes_contents' holds {values.Count}.");
        }

        using var builder = new BytesTensorBuilder(values.Sum(v => v.Length + 4));
        foreach (var value in values)
        {
            builder.Add(value.Span);
        }

        return builder.Build(name, shape);
    }
}
