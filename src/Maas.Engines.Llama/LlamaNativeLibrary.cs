using System.Runtime.InteropServices;
using System.Text;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Maas.Engines.Llama;

/// <summary>The one place that configures LLamaSharp's process-wide native state: library choice and logging.</summary>
/// <remarks>
/// LLamaSharp picks and loads the native library on first use and can only be configured before that, so this
/// runs once, under a lock, before any other llama call from this assembly. It selects the CPU build for this
/// machine's instruction set (AVX-512, AVX2, AVX or none, with fallback), routes llama.cpp's log into
/// <see cref="ILogger"/> and makes one native call so the library is loaded before anything else touches it
/// (without that, e.g. the quantizer entry point throws <see cref="DllNotFoundException"/>).
/// </remarks>
internal static class LlamaNativeLibrary
{
    private static readonly Lock Gate = new();

    // Held in a static field so the delegate handed to native code is never collected.
    private static readonly NativeLogConfig.LLamaLogCallback Callback = OnNativeLog;

    private static volatile ILogger? s_logger;
    private static bool s_initialized;

    [ThreadStatic]
    private static StringBuilder? t_partialLine;

    [ThreadStatic]
    private static LLamaLogLevel t_partialLevel;

    /// <summary>Configures and loads the native library once; later calls return at once.</summary>
    public static void EnsureInitialized(ILogger logger)
    {
        lock (Gate)
        {
            if (s_initialized)
            {
                return;
            }

            s_logger = logger;
            if (!NativeLibraryConfig.LLama.LibraryHasLoaded)
            {
                NativeLibraryConfig.All
                    .WithCuda(false)
                    .WithVulkan(false)
                    .WithAutoFallback(true)
                    .WithLogCallback(Callback);
            }

            NativeApi.llama_empty_call();
            NativeLogConfig.llama_log_set(Callback);
            s_initialized = true;
            LlamaLog.NativeReady(logger, SystemInfo());
        }
    }

    private static string SystemInfo()
    {
        var info = Marshal.PtrToStringUTF8(NativeApi.llama_print_system_info()) ?? string.Empty;
        return info.Trim();
    }

    private static void OnNativeLog(LLamaLogLevel level, string message)
    {
        // llama.cpp writes a line in pieces: the first piece carries the level, the rest come as Continue.
        var line = t_partialLine ??= new StringBuilder();
        if (level != LLamaLogLevel.Continue)
        {
            if (line.Length > 0)
            {
                Emit(t_partialLevel, line.ToString());
                line.Clear();
            }

            t_partialLevel = level;
        }

        line.Append(message);
        if (message.EndsWith('\n'))
        {
            Emit(t_partialLevel, line.ToString());
            line.Clear();
        }
    }

    private static void Emit(LLamaLogLevel level, string text)
    {
        text = text.TrimEnd();
        if (text.Length == 0)
        {
            return;
        }

        var capture = LlamaLogCapture.Current;
        if (level == LLamaLogLevel.Error)
        {
            capture?.AddError(text);
        }
        else if (level == LLamaLogLevel.Warning)
        {
            capture?.AddWarning(text);
        }

        // llama.cpp is very chatty (every tensor, every context): everything goes to Debug except its errors.
        var logger = s_logger;
        if (logger is not null)
        {
            LlamaLog.Native(logger, level == LLamaLogLevel.Error ? LogLevel.Warning : LogLevel.Debug, text);
        }
    }
}
