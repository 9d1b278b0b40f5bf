using Google.Protobuf.Reflection;
using Maas.Server.Protocols.Grpc.Inference;

namespace Maas.EndToEnd.Tests.Protocols.GrpcApi;

/// <summary>The project's grpc_predict_v2.proto, as compiled, against the published KServe field table: every
/// message's fields by name, number, type and label, the oneof, and the service's methods.</summary>
public sealed class GrpcProtoContractTests
{
    /// <summary>The published messages: full name → "field number type" per field, in declaration order.</summary>
    private static readonly Dictionary<string, string[]> Published = new(StringComparer.Ordinal)
    {
        ["inference.ServerLiveRequest"] = [],
        ["inference.ServerLiveResponse"] = ["live 1 bool"],
        ["inference.ServerReadyRequest"] = [],
        ["inference.ServerReadyResponse"] = ["ready 1 bool"],
        ["inference.ModelReadyRequest"] = ["name 1 string", "version 2 string"],
        ["inference.ModelReadyResponse"] = ["ready 1 bool"],
        ["inference.ServerMetadataRequest"] = [],
        ["inference.ServerMetadataResponse"] = ["name 1 string", "version 2 string", "extensions 3 repeated string"],
        ["inference.ModelMetadataRequest"] = ["name 1 string", "version 2 string"],
        ["inference.ModelMetadataResponse"] =
            ["name 1 string", "versions 2 repeated string", "platform 3 string", "inputs 4 repeated TensorMetadata", "outputs 5 repeated TensorMetadata"],
        ["inference.ModelMetadataResponse.TensorMetadata"] = ["name 1 string", "datatype 2 string", "shape 3 repeated int64"],
        ["inference.InferParameter"] = ["bool_param 1 bool", "int64_param 2 int64", "string_param 3 string"],
        ["inference.InferTensorContents"] =
        [
            "bool_contents 1 repeated bool", "int_contents 2 repeated int32", "int64_contents 3 repeated int64",
            "uint_contents 4 repeated uint32", "uint64_contents 5 repeated uint64", "fp32_contents 6 repeated float",
            "fp64_contents 7 repeated double", "bytes_contents 8 repeated bytes",
        ],
        ["inference.ModelInferRequest"] =
        [
            "model_name 1 string", "model_version 2 string", "id 3 string", "parameters 4 map<string,InferParameter>",
            "inputs 5 repeated InferInputTensor", "outputs 6 repeated InferRequestedOutputTensor", "raw_input_contents 7 repeated bytes",
        ],
        ["inference.ModelInferRequest.InferInputTensor"] =
        [
            "name 1 string", "datatype 2 string", "shape 3 repeated int64", "parameters 4 map<string,InferParameter>",
            "contents 5 InferTensorContents",
        ],
        ["inference.ModelInferRequest.InferRequestedOutputTensor"] = ["name 1 string", "parameters 2 map<string,InferParameter>"],
        ["inference.ModelInferResponse"] =
        [
            "model_name 1 string", "model_version 2 string", "id 3 string", "parameters 4 map<string,InferParameter>",
            "outputs 5 repeated InferOutputTensor", "raw_output_contents 6 repeated bytes",
        ],
        ["inference.ModelInferResponse.InferOutputTensor"] =
        [
            "name 1 string", "datatype 2 string", "shape 3 repeated int64", "parameters 4 map<string,InferParameter>",
            "contents 5 InferTensorContents",
        ],
    };

    private static readonly string[] PublishedMethods =
    [
        "ServerLive ServerLiveRequest ServerLiveResponse",
        "ServerReady ServerReadyRequest ServerReadyResponse",
        "ModelReady ModelReadyRequest ModelReadyResponse",
        "ServerMetadata ServerMetadataRequest ServerMetadataResponse",
        "ModelMetadata ModelMetadataRequest ModelMetadataResponse",
        "ModelInfer ModelInferRequest ModelInferResponse",
    ];

    public static TheoryData<string> Messages => new(Published.Keys);

    [Theory]
    [MemberData(nameof(Messages))]
    public void Message_CompiledProto_MatchesPublishedFields(string fullName)
    {
        var message = AllMessages().SingleOrDefault(m => m.FullName == fullName);

        Assert.NotNull(message);
        Assert.Equal(Published[fullName], message.Fields.InDeclarationOrder().Select(Describe).ToArray());
    }

    [Fact]
    public void File_CompiledProto_HasNoMessagesBeyondThePublishedOnes()
    {
        var extra = AllMessages().Where(m => m.GetOptions()?.MapEntry != true).Select(m => m.FullName).Where(n => !Published.ContainsKey(n));

        Assert.Empty(extra);
        Assert.Equal("inference", GrpcPredictV2Reflection.Descriptor.Package);
        Assert.Equal("proto3", GrpcPredictV2Reflection.Descriptor.ToProto().Syntax);
    }

    [Fact]
    public void InferParameter_CompiledProto_IsOneOfParameterChoice()
    {
        var oneof = Assert.Single(InferParameter.Descriptor.Oneofs);

        Assert.Equal("parameter_choice", oneof.Name);
        Assert.Equal(["bool_param", "int64_param", "string_param"], oneof.Fields.Select(f => f.Name));
    }

    [Fact]
    public void Service_CompiledProto_HasThePublishedMethods()
    {
        var service = Assert.Single(GrpcPredictV2Reflection.Descriptor.Services);

        Assert.Equal("inference.GRPCInferenceService", service.FullName);
        Assert.Equal(PublishedMethods, service.Methods.Select(m => $"{m.Name} {m.InputType.Name} {m.OutputType.Name}"));
        Assert.All(service.Methods, m => Assert.False(m.IsClientStreaming || m.IsServerStreaming));
    }

    private static IEnumerable<MessageDescriptor> AllMessages()
    {
        var pending = new Stack<MessageDescriptor>(GrpcPredictV2Reflection.Descriptor.MessageTypes);
        while (pending.Count > 0)
        {
            var message = pending.Pop();
            yield return message;
            foreach (var nested in message.NestedTypes)
            {
                pending.Push(nested);
            }
        }
    }

    private static string Describe(FieldDescriptor field)
    {
        string type;
        if (field.IsMap)
        {
            type = $"map<{Scalar(field.MessageType.FindFieldByNumber(1))},{Scalar(field.MessageType.FindFieldByNumber(2))}>";
        }
        else
        {
            type = (field.IsRepeated ? "repeated " : string.Empty) + Scalar(field);
        }

        return $"{field.Name} {field.FieldNumber} {type}";
    }

    private static string Scalar(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Message => field.MessageType.Name,
        FieldType.Bool => "bool",
        FieldType.String => "string",
        FieldType.Bytes => "bytes",
        FieldType.Int32 => "int32",
        FieldType.Int64 => "int64",
        FieldType.UInt32 => "uint32",
        FieldType.UInt64 => "uint64",
        FieldType.Float => "float",
        FieldType.Double => "double",
        var other => other.ToString(),
    };
}
