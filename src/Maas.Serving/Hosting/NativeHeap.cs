using System.Runtime.InteropServices;

namespace Maas.Serving.Hosting;

/// <summary>Gives the C heap's free pages back to the operating system after a version is unloaded (glibc only).</summary>
/// <remarks>
/// Engines free a model's native memory (ONNX Runtime sessions, llama.cpp contexts) on unload, but glibc keeps freed
/// pages in its per-thread arenas, and each load runs on whichever pool thread picks it up. Measured without this
/// (bench/serving/repository_cycles.py, docs/benchmarks.md): 50 load/unload cycles of the sample took the resident set
/// from 345 MiB to ~700 MiB, a plateau of retained free memory, not a leak. <c>malloc_trim(0)</c> releases it.
/// Elsewhere (musl, macOS, Windows) this does nothing.
/// </remarks>
internal static class NativeHeap
{
    private static int _unavailable;

    public static void Trim()
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref _unavailable) != 0)
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref _unavailable, 1);
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
