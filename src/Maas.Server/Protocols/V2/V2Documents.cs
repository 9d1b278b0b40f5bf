using System.Text.Json;
using System.Text.Json.Serialization;
using Maas.Core.Tensors;

namespace Maas.Server.Protocols.V2;

internal sealed record V2ServerMetadata(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("extensions")] IReadOnlyList<string> Extensions);

internal sealed record V2Live([property: JsonPropertyName("live")] bool Live);

internal sealed record V2Ready([property: JsonPropertyName("ready")] bool Ready);

internal sealed record V2ModelReady(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("ready")] bool Ready,
    [property: JsonPropertyName("state")] string State);

internal sealed record V2ModelMetadata(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("versions")] IReadOnlyList<string> Versions,
    [property: JsonPropertyName("platform")] string Platform,
    [property: JsonPropertyName("inputs")] IReadOnlyList<V2TensorMetadata> Inputs,
    [property: JsonPropertyName("outputs")] IReadOnlyList<V2TensorMetadata> Outputs);

internal sealed record V2TensorMetadata(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("shape")] IReadOnlyList<long> Shape)
{
    public static V2TensorMetadata From(TensorSpec spec) => new(spec.Name, spec.DataType.ToProtocolName(), spec.Shape);
}

/// <summary>The inference request body, for the OpenAPI document (the server parses it with its own reader).</summary>
internal sealed record V2InferenceRequestDoc(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("parameters")] Dictionary<string, JsonElement>? Parameters,
    [property: JsonPropertyName("inputs")] IReadOnlyList<V2TensorDoc> Inputs,
    [property: JsonPropertyName("outputs")] IReadOnlyList<V2RequestedOutputDoc>? Outputs);

internal sealed record V2TensorDoc(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("shape")] IReadOnlyList<long> Shape,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("data")] JsonElement Data);

internal sealed record V2RequestedOutputDoc([property: JsonPropertyName("name")] string Name);

/// <summary>The inference response body, for the OpenAPI document.</summary>
internal sealed record V2InferenceResponseDoc(
    [property: JsonPropertyName("model_name")] string ModelName,
    [property: JsonPropertyName("model_version")] string ModelVersion,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("outputs")] IReadOnlyList<V2TensorDoc> Outputs);

[JsonSerializable(typeof(V2ServerMetadata))]
[JsonSerializable(typeof(V2Live))]
[JsonSerializable(typeof(V2Ready))]
[JsonSerializable(typeof(V2ModelReady))]
[JsonSerializable(typeof(V2ModelMetadata))]
internal sealed partial class V2JsonContext : JsonSerializerContext;
