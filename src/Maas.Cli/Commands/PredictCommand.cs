using System.CommandLine;
using Maas.Cli.Output;

namespace Maas.Cli.Commands;

/// <summary><c>maas predict NAME INPUT</c>: one request to the simple predict route.</summary>
internal static class PredictCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = new Argument<string>("model") { Description = "Model to run: NAME, NAME@ALIAS or NAME/VERSION as the server accepts them" };
        var input = new Argument<string>("input") { Description = "Input as JSON (e.g. '[\"a\",\"b\"]' or '[[1,2]]'); anything that is not JSON is sent as a string" };
        var full = new Option<bool>("--full") { Description = $"Print every value of large numeric outputs (over {PredictionView.PreviewThreshold}) instead of a preview" };
        var server = ServerOption.Create(context);

        var command = new Command("predict", "Run a model on one input") { name, input, full, server };
        command.SetAction((parseResult, cancellationToken) => ApiAction.RunAsync(context, parseResult.GetValue(server), async client =>
        {
            var response = await client.PredictAsync(parseResult.GetValue(name)!, PredictInput.Parse(parseResult.GetValue(input)!), cancellationToken).ConfigureAwait(false);
            PredictionView.Write(context.Out, response, parseResult.GetValue(full));
        }));
        return command;
    }
}
