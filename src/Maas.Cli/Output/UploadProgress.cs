using Spectre.Console;

namespace Maas.Cli.Output;

/// <summary>Shows an upload's progress: a live bar on an interactive terminal, one plain line elsewhere.</summary>
internal static class UploadProgress
{
    public static async Task<T> RunAsync<T>(IAnsiConsole console, string description, long totalBytes, Func<IProgress<long>?, Task<T>> upload)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(upload);
        if (!console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi)
        {
            // Logs, CI and dumb terminals get one line instead of a stream of redraws.
            console.WriteLine($"{description} ({ByteSize.Format(totalBytes)})");
            return await upload(null).ConfigureAwait(false);
        }

        return await console.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new DownloadedColumn(),
                new TransferSpeedColumn())
            .StartAsync(async context =>
            {
                // An empty upload still needs a non-zero maximum for the bar to reach 100%.
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(totalBytes, 1));
                var result = await upload(new CallbackProgress<long>(bytes => task.Increment(bytes))).ConfigureAwait(false);
                task.Value = task.MaxValue;
                return result;
            }).ConfigureAwait(false);
    }
}
