namespace Maas.Server.Metrics;

/// <summary>Endpoint metadata marking an inference endpoint for request metrics, with its protocol tag.</summary>
internal sealed record InferenceProtocol(string Name)
{
    public static readonly InferenceProtocol V2 = new("v2");

    public static readonly InferenceProtocol OpenAi = new("openai");

    public static readonly InferenceProtocol Predict = new("predict");
}
