namespace Maas.Server.Http;

/// <summary>Endpoint metadata naming the JSON body type to show in the OpenAPI document.</summary>
/// <remarks>
/// Endpoints that parse their body themselves (for speed, or to give protocol-shaped errors) cannot use
/// <c>Accepts&lt;T&gt;</c>: that also makes routing answer 415 to a request without a JSON content type,
/// which curl users send all the time. This only documents.
/// </remarks>
internal sealed record RequestBodyDoc(Type BodyType);
