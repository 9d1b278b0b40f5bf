using System.Text.Json;
using Maas.Core.Models;

namespace Maas.Optimization.Jobs;

/// <summary>Implemented by a pass that can tell from the parent's file, before any job is stored, that it cannot
/// apply (a GGUF type that does not fit the tensor rows, an already quantized file): the quantize job's validation
/// calls it, so such input is a 4xx answer rather than a failed job.</summary>
public interface IModelPassCheck
{
    /// <exception cref="Maas.Core.Errors.MaasException">InvalidArgument with the reason.</exception>
    void CheckModel(string modelPath, ModelManifest manifest, JsonElement options);
}
