using Maas.Jobs;
using Maas.Optimization;
using Maas.Registry;
using Maas.Server.Admin;
using Maas.Server.Hosting;
using Maas.Server.Http;
using Maas.Server.Metrics;
using Maas.Server.Protocols.Grpc;
using Maas.Server.Protocols.OpenAi;
using Maas.Server.Protocols.Predict;
using Maas.Server.Protocols.V2;
using Maas.Server.Security;
using Maas.Server.Security.Limits;
using Maas.Server.Security.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scalar.AspNetCore;

namespace Maas.Server;

/// <summary>Builds and runs the Maas HTTP server.</summary>
public static class MaasServer
{
    /// <summary>Builds the application; call <c>StartAsync</c>/<c>RunAsync</c> on it.</summary>
    /// <remarks>
    /// Configuration comes from <c>appsettings.json</c>, environment variables (<c>MAAS__SERVING__MAXQUEUEPERMODEL</c>)
    /// and <paramref name="args"/> under the <c>Maas</c> section; <paramref name="options"/> (the CLI's flags) win for
    /// data folder, host, port and samples.
    /// </remarks>
    public static WebApplication Build(MaasServerOptions options, string[]? args = null) => Build(options, args, configureServices: null);

    /// <summary>Builds the application with extra service registrations (tests add job handlers this way).</summary>
    internal static WebApplication Build(MaasServerOptions options, string[]? args, Action<IServiceCollection>? configureServices)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args ?? [] });
        var maas = builder.Configuration.GetSection("Maas");
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);

        // Per-request logs from ASP.NET Core are noise at Information; Maas logs its own events.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        ServerThreadPool.Apply(maas.GetValue("Server:MinWorkerThreads", ServerThreadPool.DefaultMinWorkers));
        var grpcPort = options.GrpcPort ?? maas.GetValue("Server:GrpcPort", MaasServerOptions.DefaultGrpcPort);
        if (grpcPort is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), grpcPort, "The gRPC port must be between 0 (off) and 65535.");
        }

        // TLS from Maas:Server:Tls or the CLI's --tls-cert/--tls-key: both ports, or neither.
        var certificate = ServerTls.LoadCertificate(maas.GetSection("Server:Tls"), options);
        if (grpcPort == 0 && certificate is null)
        {
            builder.WebHost.UseUrls($"http://{options.Host}:{options.HttpPort}");
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            GrpcEndpoints.Listen(kestrel, options.Host, options.HttpPort, grpcPort, certificate);
        });

        // Handlers run on the socket thread instead of hopping to the thread pool and back: on loopback this cuts
        // the server's added latency from about 1.2 ms to 0.3 ms per request (docs/benchmarks.md). The price: a
        // long synchronous inference delays other connections' I/O on that thread, so models that take tens of
        // milliseconds per request may prefer Maas:Server:InlineSocketScheduling=false.
        var inline = maas.GetValue("Server:InlineSocketScheduling", true);
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = inline);

        var services = builder.Services;

        // Graceful shutdown: not-ready first (ShutdownDrain), then in-flight requests finish within the timeout, then models unload.
        // Maas:Server:ShutdownTimeout, else the host's own shutdownTimeoutSeconds (what the Kubernetes ConfigMap sets), else 30 s.
        var hostShutdown = builder.Configuration.GetValue<int?>("shutdownTimeoutSeconds");
        services.Configure<HostOptions>(o => o.ShutdownTimeout = maas.GetValue<TimeSpan?>("Server:ShutdownTimeout")
            ?? (hostShutdown is { } seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(30)));
        services.AddSingleton(sp => new ShutdownDrain(
            maas.GetValue("Server:DrainDelay", TimeSpan.Zero), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ShutdownDrain>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());
        services.AddOptions<MaasServerOptions>().Configure(o =>
        {
            o.DataDirectory = dataDirectory;
            o.Host = options.Host;
            o.HttpPort = options.HttpPort;
            o.GrpcPort = grpcPort;
            o.RegisterSamples = options.RegisterSamples;
            o.TlsCertificatePath = certificate is null ? null : options.TlsCertificatePath;
        });
        services.AddMaasLimits(maas.GetSection("Limits"));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => ServerJson.Configure(o.SerializerOptions));
        services.AddOptions<RegistryOptions>().Bind(maas.GetSection("Registry"));
        services.AddMaasRegistry(o => o.DataDirectory = dataDirectory);
        services.AddMaasOnnxEngine();
        services.AddOptions<Maas.Engines.Onnx.OnnxEngineOptions>().Bind(maas.GetSection("Onnx"));
        services.AddMaasLlamaEngine().AddOptions<Maas.Engines.Llama.LlamaEngineOptions>().Bind(maas.GetSection("Llama"));
        services.AddSingleton<PushHandler>();
        services.AddMaasOptimization();
        services.AddSingleton<Maas.Jobs.IJobHandler, RotateStorageJobHandler>();
        services.AddMaasJobs().AddOptions<JobsOptions>().Bind(maas.GetSection("Jobs")).PostConfigure(o => o.ReplicaId ??= maas["Server:ReplicaId"]);
        services.AddOptions<Maas.Registry.Changes.ChangeFeedOptions>().Bind(maas.GetSection("Registry"));

        // Before the hosted services below, so the meter provider listens while models load at start-up.
        services.AddMaasTelemetry(builder.Configuration);

        // Seeding runs in StartAsync before the serving layer's preloader (hosted services start in order).
        services.AddHostedService<SampleSeeder>();
        services.AddMaasServing();
        services.AddOptions<Maas.Serving.ServingOptions>().Bind(maas.GetSection("Serving"));
        services.AddMaasGrpc();
        services.AddMaasSecurity(maas.GetSection("Auth"));
        services.AddOpenApi(o => o.AddOperationTransformer<RequestBodyDocTransformer>());
        configureServices?.Invoke(services);

        var app = builder.Build();

        var metrics = app.Services.GetRequiredService<PrometheusTextExporter>();

        // Outside the error middleware, so request metrics see the status the client gets.
        app.UseMiddleware<RequestMetricsMiddleware>();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseMiddleware<RequestLimitsMiddleware>();

        // --- auth: who is calling (API key, JWT, or the loopback anonymous admin); 401 for the rest ---
        app.UseMaasAuthentication();
        // --- end auth ---

        // Per-key requests per second: after authentication, so the key's claims are on the request.
        app.UseMaasRateLimits();

        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs").AllowAnonymous();
        app.MapGet("/", () => Results.Redirect("/docs")).ExcludeFromDescription().AllowAnonymous();
        app.MapGet("/metrics", () => Results.Text(metrics.Render(), PrometheusTextExporter.ContentType))
            .RequireAction(ModelAction.Metrics)
            .WithTags("Metrics").WithSummary("Prometheus text exposition of the Maas.* and System.Runtime meters");
        // Each protocol's routes carry the error body they answer with; the status comes from the error kind.
        app.MapGroup("").WithMetadata(ErrorShape.OpenInference).MapOpenInferenceProtocol();
        app.MapGroup("").WithMetadata(ErrorShape.OpenInference).MapPredict();
        app.MapGroup("").WithMetadata(ErrorShape.OpenAi).MapOpenAi();
        app.MapGroup("").WithMetadata(ErrorShape.Problem).MapAdminApi();
        app.MapMaasGrpc(grpcPort);
        return app;
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires or the process is asked to stop.</summary>
    public static Task RunAsync(MaasServerOptions options, CancellationToken cancellationToken = default) =>
        RunAsync(options, [], cancellationToken);

    /// <summary>Runs until <paramref name="cancellationToken"/> fires, with configuration from <paramref name="args"/> (<c>--Maas:Key=value</c>).</summary>
    public static async Task RunAsync(MaasServerOptions options, string[] args, CancellationToken cancellationToken = default)
    {
        await using var app = Build(options, args);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
