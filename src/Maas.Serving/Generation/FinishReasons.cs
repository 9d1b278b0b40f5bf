namespace Maas.Serving.Generation;

/// <summary>Why a generation ended, in OpenAI's words.</summary>
public static class FinishReasons
{
    /// <summary>An end-of-generation token or a stop string.</summary>
    public const string Stop = "stop";

    /// <summary>The token limit.</summary>
    public const string Length = "length";
}
