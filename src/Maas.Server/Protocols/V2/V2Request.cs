using Maas.Core.Inference;

namespace Maas.Server.Protocols.V2;

/// <summary>A parsed v2 inference request: the protocol-neutral request plus what the v2 protocol says about its
/// answer (binary outputs, classification).</summary>
internal sealed class V2Request(InferenceRequest request, IReadOnlyList<V2OutputRequest>? outputs, bool binaryOutputs) : IDisposable
{
    public InferenceRequest Request { get; } = request;

    /// <summary>The outputs named in the request with their parameters; null means all outputs, as they are.</summary>
    public IReadOnlyList<V2OutputRequest>? Outputs { get; } = outputs;

    /// <summary>The request parameter <c>binary_data_output</c>: every output in binary unless it says otherwise.</summary>
    public bool BinaryOutputs { get; } = binaryOutputs;

    /// <summary>Whether <paramref name="output"/> is answered in binary.</summary>
    public bool IsBinary(string output) =>
        Outputs?.FirstOrDefault(o => o.Name == output)?.Binary ?? BinaryOutputs;

    public void Dispose() => Request.Dispose();
}
