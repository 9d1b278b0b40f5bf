using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Maas.Core.Tensors;
using Maas.EndToEnd.Tests.Tensors;
using Maas.Server.Protocols.Grpc.Inference;

namespace Maas.EndToEnd.Tests.Protocols.GrpcApi;

/// <summary>Every datatype through an Identity model over gRPC, in raw and in typed contents, comes back exactly.</summary>
[Collection(TensorServerCollection.Name)]
public sealed class GrpcDatatypeTests(TensorServerFixture fixture) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.Server.GrpcAddress!);

    public static TheoryData<string> Datatypes => new(TensorDataTypes.All.Select(t => t.ToProtocolName()));

    private GRPCInferenceService.GRPCInferenceServiceClient Client => new(_channel);

    [Theory]
    [MemberData(nameof(Datatypes))]
    public async Task ModelInfer_RawContents_ReturnsSameBytes(string datatype)
    {
        var model = await PushIdentityAsync(datatype);
        var (_, raw) = Sample(datatype);
        var request = Request(model, datatype);
        request.RawInputContents.Add(ByteString.CopyFrom(raw));

        var response = await Client.ModelInferAsync(request);

        var output = Assert.Single(response.Outputs);
        Assert.Equal(("y", datatype), (output.Name, output.Datatype));
        Assert.Equal([2L, 3L], output.Shape);
        Assert.Equal(raw, Assert.Single(response.RawOutputContents).ToByteArray());
    }

    [Theory]
    [MemberData(nameof(Datatypes))]
    public async Task ModelInfer_TypedContents_ReturnsSameValues(string datatype)
    {
        var model = await PushIdentityAsync(datatype);
        var (typed, raw) = Sample(datatype);
        var request = Request(model, datatype);
        if (typed is null)
        {
            // FP16 has no typed field: the protocol carries it only raw.
            request.RawInputContents.Add(ByteString.CopyFrom(raw));
        }
        else
        {
            request.Inputs[0].Contents = typed;
        }

        var response = await Client.ModelInferAsync(request);

        var output = Assert.Single(response.Outputs);
        if (typed is null)
        {
            Assert.Equal(raw, Assert.Single(response.RawOutputContents).ToByteArray());
        }
        else
        {
            Assert.Empty(response.RawOutputContents);
            Assert.Equal(typed, output.Contents);
        }
    }

    [Fact]
    public async Task ModelInfer_TypedCountNotMatchingShape_InvalidArgument()
    {
        var model = await PushIdentityAsync("INT32");
        var request = Request(model, "INT32");
        request.Inputs[0].Contents = new InferTensorContents { IntContents = { 1, 2, 3 } };

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("int_contents", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelInfer_TypedValueOutOfRange_InvalidArgument()
    {
        var model = await PushIdentityAsync("INT8");
        var request = Request(model, "INT8");
        request.Inputs[0].Contents = new InferTensorContents { IntContents = { 1, 2, 3, 4, 5, 300 } };

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task ModelInfer_RawLengthNotMatchingShape_InvalidArgument()
    {
        var model = await PushIdentityAsync("FP32");
        var request = Request(model, "FP32");
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[20]));

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("24", error.Status.Detail, StringComparison.Ordinal);
    }

    private async Task<string> PushIdentityAsync(string datatype)
    {
        Assert.True(TensorDataTypes.TryParse(datatype, out var type));
        return await fixture.PushAsync("grpc-identity-" + datatype.ToLowerInvariant(), TensorModels.Identity(type));
    }

    private static ModelInferRequest Request(string model, string datatype) => new()
    {
        ModelName = model,
        Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = datatype, Shape = { 2, 3 } } },
    };

    /// <summary>Six values with the type's edges, as typed contents (null for FP16) and as raw little-endian bytes.</summary>
    private static (InferTensorContents? Typed, byte[] Raw) Sample(string datatype)
    {
        switch (datatype)
        {
            case "BOOL":
                bool[] flags = [true, false, false, true, true, false];
                return (new InferTensorContents { BoolContents = { flags } }, Bytes(flags));
            case "UINT8":
                byte[] u8 = [0, 255, 1, 128, 254, 7];
                return (new InferTensorContents { UintContents = { u8.Select(v => (uint)v) } }, u8);
            case "UINT16":
                ushort[] u16 = [0, 65535, 1, 32768, 65534, 300];
                return (new InferTensorContents { UintContents = { u16.Select(v => (uint)v) } }, Bytes(u16));
            case "UINT32":
                uint[] u32 = [0, uint.MaxValue, 1, 2147483648, uint.MaxValue - 1, 70000];
                return (new InferTensorContents { UintContents = { u32 } }, Bytes(u32));
            case "UINT64":
                ulong[] u64 = [0, ulong.MaxValue, 1, 9223372036854775808, ulong.MaxValue - 1, 4294967296];
                return (new InferTensorContents { Uint64Contents = { u64 } }, Bytes(u64));
            case "INT8":
                sbyte[] i8 = [-128, 127, 0, -1, 1, -100];
                return (new InferTensorContents { IntContents = { i8.Select(v => (int)v) } }, Bytes(i8));
            case "INT16":
                short[] i16 = [-32768, 32767, 0, -1, 1, -300];
                return (new InferTensorContents { IntContents = { i16.Select(v => (int)v) } }, Bytes(i16));
            case "INT32":
                int[] i32 = [int.MinValue, int.MaxValue, 0, -1, 1, -70000];
                return (new InferTensorContents { IntContents = { i32 } }, Bytes(i32));
            case "INT64":
                long[] i64 = [long.MinValue, long.MaxValue, 0, -1, 1, -4294967296];
                return (new InferTensorContents { Int64Contents = { i64 } }, Bytes(i64));
            case "FP16":
                Half[] f16 = [Half.MaxValue, Half.MinValue, (Half)6.103515625E-05, (Half)(-0.5), (Half)1.5, (Half)0.0999755859375];
                return (null, Bytes(f16));
            case "FP32":
                float[] f32 = [float.MaxValue, float.MinValue, 1.17549435E-38f, -2.75f, 0.1f, 1234567.875f];
                return (new InferTensorContents { Fp32Contents = { f32 } }, Bytes(f32));
            case "FP64":
                double[] f64 = [double.MaxValue, double.MinValue, double.Epsilon, -2.75, 0.1, 123456789.123456789];
                return (new InferTensorContents { Fp64Contents = { f64 } }, Bytes(f64));
            default:
                string[] texts = ["", "plain", "h\u00e9llo", "\u65e5\u672c\u8a9e", "emoji \ud83d\ude42", "quote \" and \\ backslash"];
                return (new InferTensorContents { BytesContents = { texts.Select(ByteString.CopyFromUtf8) } }, GrpcSampleModelTests.RawStrings(texts).ToByteArray());
        }
    }

    private static byte[] Bytes<T>(T[] values)
        where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public void Dispose() => _channel.Dispose();
}
