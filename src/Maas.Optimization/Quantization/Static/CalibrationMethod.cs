namespace Maas.Optimization.Quantization.Static;

/// <summary>How an activation's quantization range is chosen from calibration runs.</summary>
internal enum CalibrationMethod
{
    /// <summary>The observed minimum and maximum.</summary>
    MinMax,

    /// <summary>Clip |x| at a percentile of its histogram (outliers beyond it saturate).</summary>
    Percentile,

    /// <summary>Clip |x| at the threshold that minimises the KL divergence between the float histogram and its
    /// quantized version (TensorRT's entropy calibration).</summary>
    Entropy,
}
