namespace Maas.Core.Engines;

/// <summary>A named engine plug-in (<c>onnx</c>, <c>llama</c>) that turns a stored version into a loaded model.</summary>
/// <remarks>
/// Engines are the only code that touches native libraries. A loaded model is either an
/// <see cref="ITensorModel"/> (batchable tensor in, tensor out) or an <see cref="ITextGenerator"/>
/// (token-by-token decoding driven step by step by a scheduler); protocols never see either type,
/// they talk to pipelines in Maas.Serving.
/// </remarks>
public interface IModelEngine
{
    /// <summary>The engine's name as a manifest's <c>engine</c> field names it.</summary>
    string Name { get; }

    /// <summary>Loads a version; throws <see cref="Errors.MaasException"/> with the reason when the file cannot be loaded.</summary>
    Task<ILoadedModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken = default);
}
