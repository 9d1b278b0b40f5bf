using System.Text.Json;
using Maas.Core.Errors;
using Maas.Optimization;

namespace Maas.UnitTests.Optimization;

/// <summary>A pass for handler tests whose work is a delegate: copy the model, rewrite a tiny graph, or wait to be cancelled.</summary>
internal sealed class DelegatePass(string method, string format, Func<PassContext, CancellationToken, Task<PassResult>> run) : IModelPass
{
    public string Method => method;

    public string Format => format;

    public PassContext? LastContext { get; private set; }

    public int Runs { get; private set; }

    public void ValidateOptions(JsonElement options)
    {
        foreach (var property in options.EnumerateObject())
        {
            if (property.Name != "scale" || property.Value.ValueKind != JsonValueKind.Number)
            {
                throw MaasException.InvalidArgument($"Unknown option '{property.Name}'.");
            }
        }
    }

    public Task<PassResult> RunAsync(PassContext context, CancellationToken cancellationToken)
    {
        LastContext = context;
        Runs++;
        return run(context, cancellationToken);
    }

    /// <summary>Copies the model file to <c>model.copy.onnx</c> in the output folder, reporting progress half-way.</summary>
    public static DelegatePass Copy(string method = "test-copy") => new(method, "onnx", (context, _) =>
    {
        context.Progress(0.5, "copying");
        var output = Path.Combine(context.OutputDirectory, "model.copy.onnx");
        File.Copy(context.ModelPath, output);
        return Task.FromResult(new PassResult(output, new Dictionary<string, string> { ["copied"] = "true" }, ["copied unchanged"]));
    });
}
