using System.Net;
using System.Security.Cryptography.X509Certificates;
using Maas.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Maas.Server.Protocols.Grpc;

/// <summary>Wires the gRPC side: its own HTTP/2-only Kestrel endpoint, <c>inference.GRPCInferenceService</c>, the
/// standard health service (<c>grpc.health.v1.Health</c>) and server reflection.</summary>
internal static class GrpcEndpoints
{
    /// <summary>Health-check name and tag of the server's readiness (start-up loading finished).</summary>
    public const string ReadyCheck = "maas-ready";

    public static IServiceCollection AddMaasGrpc(this IServiceCollection services)
    {
        services.AddSingleton<GrpcErrorInterceptor>();
        services.AddSingleton<Security.GrpcAccessInterceptor>();
        services.AddGrpc(o =>
        {
            o.Interceptors.Add<GrpcErrorInterceptor>();
            o.Interceptors.Add<Security.GrpcAccessInterceptor>();
            o.EnableDetailedErrors = false;
            o.MaxSendMessageSize = null;
        });
        services.AddOptions<global::Grpc.AspNetCore.Server.GrpcServiceOptions<GrpcInferenceService>>()
            .Configure<IOptions<ServerLimitsOptions>>((o, limits) =>
                o.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, limits.Value.MaxRequestBodyBytes));
        services.AddGrpcReflection();
        services.AddHealthChecks().AddCheck<ReadyHealthCheck>(ReadyCheck, tags: [ReadyCheck]);
        services.AddGrpcHealthChecks(o =>
        {
            // "" is the whole server; the inference service is serving once start-up loading is done.
            o.Services.Map("", r => true);
            o.Services.Map("inference.GRPCInferenceService", r => r.Tags.Contains(ReadyCheck));
        });
        return services;
    }

    /// <summary>Listens on the HTTP port as before and, when <paramref name="grpcPort"/> is not 0, on a second port
    /// that speaks HTTP/2 only (gRPC without TLS needs prior-knowledge HTTP/2); with a <paramref name="certificate"/>
    /// both ports speak TLS only (HTTP/2 negotiated by ALPN).</summary>
    public static void Listen(KestrelServerOptions kestrel, string host, int httpPort, int grpcPort, X509Certificate2? certificate = null)
    {
        if (grpcPort == 0 && certificate is null)
        {
            return;
        }

        // With gRPC or TLS on, the endpoints are declared here (explicit endpoints replace UseUrls), HTTP first.
        Bind(kestrel, host, httpPort, HttpProtocols.Http1AndHttp2, certificate);
        if (grpcPort != 0)
        {
            Bind(kestrel, host, grpcPort, HttpProtocols.Http2, certificate);
        }
    }

    public static IEndpointRouteBuilder MapMaasGrpc(this IEndpointRouteBuilder app, int grpcPort)
    {
        if (grpcPort == 0)
        {
            return app;
        }

        // Only on the gRPC port: the REST port neither advertises nor answers these routes.
        var host = $"*:{grpcPort}";
        app.MapGrpcService<GrpcInferenceService>().RequireHost(host);
        app.MapGrpcHealthChecksService().RequireHost(host).AllowAnonymous();
        app.MapGrpcReflectionService().RequireHost(host);
        return app;
    }

    private static void Bind(KestrelServerOptions kestrel, string host, int port, HttpProtocols protocols, X509Certificate2? certificate)
    {
        void Configure(ListenOptions o)
        {
            o.Protocols = protocols;
            if (certificate is not null)
            {
                o.UseHttps(certificate);
            }
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port, Configure);
        }
        else if (host is "*" or "+" or "0.0.0.0" || !IPAddress.TryParse(host, out var address))
        {
            kestrel.ListenAnyIP(port, Configure);
        }
        else
        {
            kestrel.Listen(address, port, Configure);
        }
    }

}
