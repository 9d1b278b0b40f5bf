using System.CommandLine;
using Maas.Server;
using Spectre.Console;

namespace Maas.Cli.Commands;

/// <summary><c>maas serve</c>: runs the server in this process until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var defaults = new MaasServerOptions();
        var data = new Option<string>("--data")
        {
            Description = "Folder for the registry database and the artifact store",
            HelpName = "DIR",
            DefaultValueFactory = _ => defaults.DataDirectory,
        };
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on",
            HelpName = "HOST",
            DefaultValueFactory = _ => defaults.Host,
        };
        var port = new Option<int>("--http-port")
        {
            Description = "HTTP port (0 picks a free one)",
            HelpName = "PORT",
            DefaultValueFactory = _ => defaults.HttpPort,
        };
        IntRange.Require(port, 0, 65535);
        var grpcPort = new Option<int?>("--grpc-port")
        {
            Description = $"gRPC port (HTTP/2, Open Inference Protocol); 0 turns gRPC off [default: Maas:Server:GrpcPort, else {MaasServerOptions.DefaultGrpcPort}]",
            HelpName = "PORT",
        };
        IntRange.Require(grpcPort, 0, 65535);
        var noSamples = new Option<bool>("--no-samples") { Description = "Do not register the sample model in an empty registry" };
        var auth = new Option<string?>("--auth")
        {
            Description = "auto: keys required unless listening on loopback only; required; none: no authentication (local development only) [default: Maas:Auth:Mode, else auto]",
            HelpName = "MODE",
        };
        auth.AcceptOnlyFromAmong("auto", "required", "none");

        var tlsCert = new Option<string?>("--tls-cert")
        {
            Description = "TLS certificate (PEM or PKCS#12) for HTTPS and gRPC over TLS [default: Maas:Server:Tls:CertificatePath, else plain HTTP]",
            HelpName = "FILE",
        };
        var tlsKey = new Option<string?>("--tls-key")
        {
            Description = "PEM private key for --tls-cert when the certificate file holds none [default: Maas:Server:Tls:KeyPath]",
            HelpName = "FILE",
        };

        var command = new Command("serve", "Run the Maas server in this process (Ctrl+C stops it); any other setting as --Maas:Section:Key=value")
        {
            data, host, port, grpcPort, noSamples, auth, tlsCert, tlsKey,
        };

        // Server settings (--Maas:...) are not flags of this command; ConfigurationArguments checks what is left over.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string[] settings;
            try
            {
                settings = ConfigurationArguments.Select(parseResult.UnmatchedTokens);
                if (parseResult.GetValue(auth) is { } mode)
                {
                    settings = [.. settings, $"--Maas:Auth:Mode={mode}"];
                }
            }
            catch (CliException ex)
            {
                context.Error.MarkupLineInterpolated($"[red]error: {ex.Message}[/]");
                return ExitCodes.Usage;
            }

            var options = new MaasServerOptions
            {
                DataDirectory = parseResult.GetValue(data)!,
                Host = parseResult.GetValue(host)!,
                HttpPort = parseResult.GetValue(port),
                GrpcPort = parseResult.GetValue(grpcPort),
                RegisterSamples = !parseResult.GetValue(noSamples),
                TlsCertificatePath = parseResult.GetValue(tlsCert),
                TlsKeyPath = parseResult.GetValue(tlsKey),
            };
            context.Out.MarkupLineInterpolated($"Starting Maas on [bold]{options.Host}:{options.HttpPort}[/] with data in [bold]{options.DataDirectory}[/]; Ctrl+C stops it.");
            try
            {
                await context.RunServer(options, settings, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C is the normal way to stop a server, not a failure.
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
