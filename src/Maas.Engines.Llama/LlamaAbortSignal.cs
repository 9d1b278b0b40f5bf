using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LLama.Native;

namespace Maas.Engines.Llama;

/// <summary>Connects a step's <see cref="CancellationToken"/> to llama.cpp's abort callback for one context.</summary>
/// <remarks>
/// llama.cpp polls the callback between graph nodes, so a cancelled step stops within one layer instead of
/// finishing a long prefill. The callback receives a GC handle to this object; the handle is freed on dispose,
/// which must come after the context it was registered with is gone.
/// </remarks>
internal sealed unsafe class LlamaAbortSignal : IDisposable
{
    private GCHandle _handle;
    private CancellationToken _token;

    public LlamaAbortSignal(SafeLLamaContextHandle context)
    {
        _handle = GCHandle.Alloc(this);
        delegate* unmanaged[Cdecl]<IntPtr, byte> callback = &ShouldAbort;
        NativeApi.llama_set_abort_callback(context, (IntPtr)callback, GCHandle.ToIntPtr(_handle));
    }

    /// <summary>The token llama.cpp checks during the current decode; default between steps.</summary>
    public CancellationToken Token
    {
        get => _token;
        set => _token = value;
    }

    public void Dispose()
    {
        if (_handle.IsAllocated)
        {
            _handle.Free();
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static byte ShouldAbort(IntPtr data)
    {
        var signal = (LlamaAbortSignal?)GCHandle.FromIntPtr(data).Target;
        return signal is not null && signal._token.IsCancellationRequested ? (byte)1 : (byte)0;
    }
}
