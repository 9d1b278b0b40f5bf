using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Maas.Registry;
using Maas.Registry.Artifacts;
using Maas.Registry.Artifacts.Encryption;
using Microsoft.Extensions.Logging.Abstractions;

namespace Maas.Bench;

/// <summary><c>artifacts [MiB] [repeats]</c>: storing and loading one blob through the folder store and the local cache,
/// plain vs AES-256-GCM at rest, side by side (docs/benchmarks.md, issue 11).</summary>
/// <remarks>
/// Store = stage (hash, encode, fsync) + commit. Cold load = what a model load does the first time on a replica: plain
/// verifies the store's own file in place; encrypted decrypts into the cache while hashing. Warm load = later loads:
/// both hash a local plain file. Medians of the repeats; the OS page cache is warm in both columns.
/// </remarks>
internal static class ArtifactsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mib = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 256;
        var repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var root = Path.Combine(Path.GetTempPath(), "maas-bench-artifacts-" + Guid.NewGuid().ToString("N"));
        var source = Path.Combine(root, "source.bin");
        Directory.CreateDirectory(root);
        try
        {
            await WriteRandomAsync(source, mib * 1024L * 1024);
            var keys = new ArtifactKeyRing(new Dictionary<string, byte[]> { ["bench"] = RandomNumberGenerator.GetBytes(32) }, "bench");
            var plain = await MeasureAsync(root, "plain", new PlainArtifactCodec(), source, repeats);
            var encrypted = await MeasureAsync(root, "aes", new AesGcmArtifactCodec(keys), source, repeats);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"blob {mib} MiB, {repeats} repeats, medians; {Environment.ProcessorCount} cores, AES-NI {System.Runtime.Intrinsics.X86.Aes.IsSupported}"));
            Console.WriteLine("| step | plain MB/s | AES-256-GCM MB/s | encrypted / plain |");
            Console.WriteLine("|---|---:|---:|---:|");
            for (var i = 0; i < plain.Length; i++)
            {
                var p = mib * 1.048576 / plain[i].Seconds;
                var e = mib * 1.048576 / encrypted[i].Seconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {plain[i].Step} | {p:F0} | {e:F0} | {e / p:F2} |"));
            }

            return 0;
        }
        finally
        {
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<(string Step, double Seconds)[]> MeasureAsync(string root, string name, IArtifactCodec codec, string source, int repeats)
    {
        var store = new List<double>();
        var cold = new List<double>();
        var warm = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            var data = Path.Combine(root, $"{name}-{r}");
            var paths = new RegistryPaths(new RegistryOptions { DataDirectory = data });
            var folder = new FolderArtifactStore(paths, codec);
            var cache = new ArtifactCache(folder, Path.Combine(data, "cache"), long.MaxValue, () => [], NullLogger.Instance);

            var watch = Stopwatch.StartNew();
            StagedArtifact staged;
            await using (var input = File.OpenRead(source))
            {
                staged = await folder.StageAsync(input);
            }

            await folder.CommitAsync(staged);
            store.Add(watch.Elapsed.TotalSeconds);

            watch.Restart();
            await cache.GetLocalPathAsync(staged.Sha256);
            cold.Add(watch.Elapsed.TotalSeconds);

            watch.Restart();
            await cache.GetLocalPathAsync(staged.Sha256);
            warm.Add(watch.Elapsed.TotalSeconds);
        }

        return [("store (stage + commit)", Median(store)), ("cold load (verify / decrypt into cache)", Median(cold)), ("warm load (verify)", Median(warm))];
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task WriteRandomAsync(string path, long size)
    {
        var buffer = new byte[1024 * 1024];
        await using var file = File.Create(path);
        for (long written = 0; written < size; written += buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            await file.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - written)));
        }
    }
}
