using Maas.Core.Errors;
using Maas.Formats.Onnx.Proto;

namespace Maas.Optimization.Graph;

/// <summary>Reads and adds a model's operator set imports.</summary>
internal static class OnnxOpsets
{
    public const string MicrosoftDomain = "com.microsoft";

    /// <summary>Default-domain operators whose schema at every version from 7 on computes the same thing for the same
    /// node (only new types or attributes with the old default were added), so raising the import keeps meaning.</summary>
    private static readonly HashSet<string> StableFrom7 = new(StringComparer.Ordinal)
    {
        "Abs", "Add", "And", "ArgMax", "ArgMin", "AveragePool", "BatchNormalization", "Cast", "Ceil", "Concat", "Constant",
        "Conv", "Cos", "Div", "Dropout", "Elu", "Equal", "Erf", "Exp", "Expand", "Flatten", "Floor", "Gather", "Gemm",
        "GlobalAveragePool", "GlobalMaxPool", "Greater", "HardSigmoid", "Identity", "LeakyRelu", "Less", "Log", "LRN",
        "MatMul", "Max", "MaxPool", "Mean", "Min", "Mul", "Neg", "Not", "Or", "Pow", "PRelu", "Reciprocal", "ReduceMax",
        "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSum", "ReduceSumSquare", "Relu", "Reshape", "Shape", "Sigmoid",
        "Sin", "Size", "Softplus", "Softsign", "Sqrt", "Squeeze", "Sub", "Sum", "Tanh", "Transpose", "Unsqueeze", "Where",
        "Xor", "Sign", "ConstantOfShape",
    };

    public static long Version(ModelProto model, string domain = "")
    {
        ArgumentNullException.ThrowIfNull(model);
        var normalized = Normalize(domain);
        return model.OpsetImport.Where(o => Normalize(o.Domain) == normalized).Select(o => o.Version).DefaultIfEmpty(0).Max();
    }

    /// <summary>Imports <paramref name="domain"/> at <paramref name="version"/> or later (a contrib domain such as
    /// <see cref="MicrosoftDomain"/> is added when missing).</summary>
    public static void Ensure(ModelProto model, string domain, long version)
    {
        ArgumentNullException.ThrowIfNull(model);
        var normalized = Normalize(domain);
        var import = model.OpsetImport.FirstOrDefault(o => Normalize(o.Domain) == normalized);
        if (import is null)
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        }
        else if (import.Version < version)
        {
            if (normalized.Length == 0)
            {
                throw new InvalidOperationException("Raise the default domain with RaiseDefault, which checks the graph.");
            }

            import.Version = version;
        }
    }

    /// <summary>Raises the default-domain import to <paramref name="version"/> when the graph only uses operators whose
    /// meaning does not change on the way (from opset 7 on); otherwise refuses, naming what blocks it.</summary>
    /// <returns>True when the import was raised, false when it already was that high.</returns>
    /// <exception cref="MaasException">InvalidArgument naming the opset and the operators that block the raise.</exception>
    public static bool RaiseDefault(ModelProto model, long version, string why)
    {
        ArgumentNullException.ThrowIfNull(model);
        var current = Version(model);
        if (current >= version)
        {
            return false;
        }

        var blocking = current < 7
            ? ["opset " + current]
            : model.Graph.Node.Where(n => OnnxGraph.IsDefaultDomain(n) && !StableFrom7.Contains(n.OpType)).Select(n => n.OpType).Distinct().ToList();
        if (blocking.Count > 0)
        {
            throw MaasException.InvalidArgument(
                $"The model imports opset {current}; {why} needs opset {version}, and raising it would change {string.Join(", ", blocking)}. Convert the model to opset {version} or later first.");
        }

        var import = model.OpsetImport.FirstOrDefault(o => Normalize(o.Domain).Length == 0);
        if (import is null)
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = version });
        }
        else
        {
            import.Version = version;
        }

        return true;
    }

    private static string Normalize(string domain) => domain == "ai.onnx" ? string.Empty : domain;
}
