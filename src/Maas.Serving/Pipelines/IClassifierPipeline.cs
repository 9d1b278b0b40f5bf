namespace Maas.Serving.Pipelines;

/// <summary>A pipeline that may serve a classifier: its classifier declaration, when the manifest has one.</summary>
public interface IClassifierPipeline
{
    /// <summary>The classifier declared by the manifest's post-processing (<c>softmax</c>, <c>top_k</c>, <c>labels</c>)
    /// or task <c>classification</c>; null for a plain tensor model.</summary>
    ClassifierInfo? Classifier { get; }
}
