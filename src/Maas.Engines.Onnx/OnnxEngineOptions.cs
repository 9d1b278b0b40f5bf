namespace Maas.Engines.Onnx;

/// <summary>Process-wide ONNX Runtime settings; per-model threads come from the deployment settings.</summary>
public sealed class OnnxEngineOptions
{
    /// <summary>Graph optimisation level: <c>disabled</c>, <c>basic</c>, <c>extended</c> or <c>all</c> (default).</summary>
    public string GraphOptimization { get; set; } = "all";

    /// <summary>Let ONNX Runtime's intra-op threads spin while waiting for work. Off by default: spinning
    /// threads steal cores from request handling on small machines.</summary>
    public bool AllowSpinning { get; set; }
}
