using Maas.Cli.Client;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary>Runs a client command's body and turns its failures into a red message on stderr and exit code 1.</summary>
internal static class ApiAction
{
    public static async Task<int> RunAsync(CliContext context, Uri? server, Func<MaasApiClient, Task> body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            await body(new MaasApiClient(context.HttpClient(), server, ApiKey(context))).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (MaasApiException ex)
        {
            return Fail(context, ex.Message);
        }
        catch (MaasServerUnreachableException ex)
        {
            return Fail(context, ex.Message);
        }
        catch (CliException ex)
        {
            return Fail(context, ex.Message);
        }
        catch (HttpRequestException ex)
        {
            // Connected, then lost the exchange (server closed mid-upload, protocol error).
            return Fail(context, $"request to {server.OriginalString} failed: {ex.Message}");
        }
    }

    /// <summary>The environment variable holding the API key client commands send.</summary>
    public const string ApiKeyVariable = "MAAS_API_KEY";

    /// <summary>The API key from <c>MAAS_API_KEY</c>, or null.</summary>
    public static string? ApiKey(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key ? key.Trim() : null;
    }

    public static int Fail(CliContext context, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Error.MarkupLineInterpolated($"[red]error: {message}[/]");
        return ExitCodes.Failure;
    }
}
