using System.Globalization;
using System.Text.Json;
using Maas.Core.Engines;
using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Formats.Gguf;
using Maas.Optimization.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Maas.Optimization.Gguf;

/// <summary>Re-quantizes an F32/F16 GGUF model to one llama.cpp type (<c>q8_0</c>, <c>q4_k_m</c> ...) with llama.cpp's
/// own quantizer (<see cref="IGgufQuantizer"/>, implemented by the llama engine).</summary>
/// <remarks>
/// Options: <c>threads</c> (default: all cores), <c>allow_fallback</c> (default false: a K-quant on rows that are not
/// multiples of 256 is refused before running; true lets llama.cpp store those tensors in its fallback type and the
/// report says so). The native call reports no progress, so progress is the output file's size against the size
/// expected from the tensor table; it cannot be interrupted either, so a cancel stops waiting, deletes the output and
/// lets the native call finish in the background (its output is deleted again when it does).
/// </remarks>
internal sealed class GgufQuantizePass(GgufQuantizationType type, IGgufQuantizer? quantizer, TimeProvider time) : IModelPass, IModelPassCheck
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public string Method => type.Method;

    public string Format => ModelFormats.Gguf;

    public static void Register(IServiceCollection services)
    {
        foreach (var quantization in GgufQuantizationType.All)
        {
            services.AddSingleton<IModelPass>(sp => new GgufQuantizePass(quantization, sp.GetService<IGgufQuantizer>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        }
    }

    public void ValidateOptions(JsonElement options) => GgufQuantizeOptions.Parse(options);

    public void CheckModel(string modelPath, ModelManifest manifest, JsonElement options)
    {
        var parsed = GgufQuantizeOptions.Parse(options);
        GgufFile file;
        try
        {
            file = GgufReader.Read(modelPath);
        }
        catch (InvalidDataException e)
        {
            throw MaasException.InvalidArgument($"'{manifest.ModelFile}' is not a readable GGUF file: {e.Message}");
        }

        var weights = file.Tensors.Where(GgufQuantizationType.IsQuantized).ToList();
        if (weights.Count == 0)
        {
            throw MaasException.InvalidArgument($"'{manifest.ModelFile}' has no weight matrices to quantize.");
        }

        var quantized = weights.Where(t => t.Type is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16)).ToList();
        if (quantized.Count > 0)
        {
            throw MaasException.InvalidArgument(
                $"'{manifest.ModelFile}' is already quantized ({string.Join(", ", quantized.Select(t => t.Type).Distinct())}); "
                + "re-quantize from the F32/F16 version, since quantizing twice compounds the error.");
        }

        // Even llama.cpp's fallback types need rows of 32; below that it refuses the file.
        var unfit = weights.Where(t => t.Dimensions[0] % 32 != 0).ToList();
        if (unfit.Count > 0)
        {
            throw MaasException.InvalidArgument($"{Describe(unfit)} have rows that are not multiples of 32, which no llama.cpp quantization type stores.");
        }

        var notK = weights.Where(t => t.Dimensions[0] % type.BlockSize != 0).ToList();
        if (notK.Count > 0 && !parsed.AllowFallback)
        {
            throw MaasException.InvalidArgument(
                $"{Method} stores rows in blocks of {type.BlockSize}, but {Describe(notK)} have rows that are not multiples of {type.BlockSize}. "
                + "Choose q8_0, q5_0, q5_1, q4_0 or q4_1 (blocks of 32), or set options {\"allow_fallback\": true} to let llama.cpp store those tensors in its fallback type.");
        }
    }

    public async Task<PassResult> RunAsync(PassContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = GgufQuantizeOptions.Parse(context.Options);
        if (quantizer is null)
        {
            throw MaasException.Unavailable("GGUF quantization needs the llama engine, which is not registered.");
        }

        CheckModel(context.ModelPath, context.Manifest, context.Options);
        var input = GgufReader.Read(context.ModelPath);
        var expected = ExpectedSize(input);
        var output = Path.Combine(context.OutputDirectory, $"{Path.GetFileNameWithoutExtension(context.Manifest.ModelFile)}-{Method}.gguf");
        var threads = options.Threads ?? Environment.ProcessorCount;

        context.Progress(0, $"quantizing to {Method.ToUpperInvariant()} with llama.cpp");
        var native = Task.Factory.StartNew(
            () => quantizer.Quantize(context.ModelPath, output, Method, threads),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            while (!native.IsCompleted)
            {
                await Task.WhenAny(native, Task.Delay(PollInterval, time, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                var written = File.Exists(output) ? new FileInfo(output).Length : 0;
                context.Progress(Math.Min(0.99, written / (double)Math.Max(1, expected)), $"quantizing to {Method.ToUpperInvariant()} with llama.cpp");
            }
        }
        catch (OperationCanceledException)
        {
            TryDelete(output);
            _ = native.ContinueWith(_ => TryDelete(output), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            throw;
        }

        var warnings = await native.ConfigureAwait(false);
        context.Progress(1, $"quantized to {Method.ToUpperInvariant()}");
        var result = GgufReader.Read(output);
        var notes = new List<string>
        {
            "Tensor types after: " + string.Join(", ", result.Tensors.GroupBy(t => t.Type).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} x{g.Count()}")) + ".",
            "llama.cpp's quantizer cannot be interrupted: a cancel stops waiting and deletes the output while the native call finishes in the background.",
        };
        notes.AddRange(warnings.Select(w => "llama.cpp: " + w));
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["type"] = Method.ToUpperInvariant(),
            ["allow_fallback"] = options.AllowFallback ? "true" : "false",
        };
        return new PassResult(output, parameters, notes);
    }

    private long ExpectedSize(GgufFile file) =>
        file.DataOffset + file.Tensors.Sum(t => GgufQuantizationType.IsQuantized(t) && t.Dimensions[0] % type.BlockSize == 0
            ? GgmlTypes.ByteSize(type.BlockType, t.Dimensions)
            : t.ByteSize);

    private static string Describe(List<GgufTensorInfo> tensors) =>
        string.Create(CultureInfo.InvariantCulture, $"{tensors.Count} tensor(s) (e.g. {tensors[0].Name} [{string.Join(", ", tensors[0].Dimensions)}])");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the job's work folder is deleted as a whole afterwards.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
