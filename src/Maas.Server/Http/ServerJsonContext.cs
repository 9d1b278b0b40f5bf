using System.Text.Json.Serialization;

namespace Maas.Server.Http;

/// <summary>Source-generated serializers for the server's fixed-shape bodies.</summary>
[JsonSerializable(typeof(V2ErrorBody))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(OpenAiErrorBody))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
