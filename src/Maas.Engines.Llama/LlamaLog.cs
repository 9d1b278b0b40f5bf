using Microsoft.Extensions.Logging;

namespace Maas.Engines.Llama;

/// <summary>The llama engine's log messages; event ids 2100-2199 and 7000-7099 belong to Maas.Engines.Llama.</summary>
internal static partial class LlamaLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "GGUF model {Key} loaded: {Parameters} parameters, {Cells} KV cells, {Sequences} sequences, {Threads} threads")]
    public static partial void Loaded(ILogger logger, string key, ulong parameters, int cells, int sequences, int threads);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "GGUF model {Key} failed to load: {Reason}")]
    public static partial void LoadFailed(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 2103, Message = "llama.cpp: {Line}")]
    public static partial void Native(ILogger logger, LogLevel level, string line);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "llama.cpp native library ready: {SystemInfo}")]
    public static partial void NativeReady(ILogger logger, string systemInfo);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "llama.cpp uses {Threads} threads but OMP_WAIT_POLICY is not PASSIVE: its idle OpenMP threads will spin and slow the rest of the server; set it before the process starts")]
    public static partial void SpinningThreads(ILogger logger, int threads);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Warning, Message = "GGUF model {Key}: decode of {Tokens} tokens in {Sequences} sequences failed: {Result}")]
    public static partial void DecodeFailed(ILogger logger, string key, int tokens, int sequences, string result);

    [LoggerMessage(EventId = 7020, Level = LogLevel.Debug, Message = "GGUF model {Key}: {Cached} of {Prompt} prompt tokens reused from a {Source} sequence's KV cells")]
    public static partial void PrefixReused(ILogger logger, string key, int cached, int prompt, string source);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Debug, Message = "GGUF model {Key}: cached prefix of {Cells} tokens evicted to make room")]
    public static partial void PrefixEvicted(ILogger logger, string key, int cells);
}
