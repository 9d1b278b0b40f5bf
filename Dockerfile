# syntax=docker/dockerfile:1
# Maas server image: the SDK stage restores and publishes the `maas` CLI (framework-dependent, for the build
# machine's architecture); the runtime stage is the ASP.NET Core runtime image with only the published output,
# running as the image's non-root user. See docs/deploy.md.
#
#   docker build -t maas .
#   docker run --rm -p 8000:8000 -p 8001:8001 -v maas-data:/data maas
#
# tests/Maas.UnitTests/Deploy/DockerfileTests.cs checks this file's structure and runs its publish step.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the project files alone, so that a change to the code does not download the packages again.
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
COPY src/Maas.Core/Maas.Core.csproj src/Maas.Core/
COPY src/Maas.Formats/Maas.Formats.csproj src/Maas.Formats/
COPY src/Maas.Registry/Maas.Registry.csproj src/Maas.Registry/
COPY src/Maas.Engines.Onnx/Maas.Engines.Onnx.csproj src/Maas.Engines.Onnx/
COPY src/Maas.Engines.Llama/Maas.Engines.Llama.csproj src/Maas.Engines.Llama/
COPY src/Maas.Serving/Maas.Serving.csproj src/Maas.Serving/
COPY src/Maas.Jobs/Maas.Jobs.csproj src/Maas.Jobs/
COPY src/Maas.Optimization/Maas.Optimization.csproj src/Maas.Optimization/
COPY src/Maas.Samples/Maas.Samples.csproj src/Maas.Samples/
COPY src/Maas.Server/Maas.Server.csproj src/Maas.Server/
COPY src/Maas.Cli/Maas.Cli.csproj src/Maas.Cli/
RUN dotnet restore src/Maas.Cli/Maas.Cli.csproj

COPY src/ src/
RUN dotnet publish src/Maas.Cli/Maas.Cli.csproj --no-restore -c Release -p:UseAppHost=false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime

# llama.cpp's CPU backend (libggml-base, libggml-cpu) is built with OpenMP. ONNX Runtime and SkiaSharp (the
# NoDependencies build: no fontconfig) need only libstdc++; ICU is already in the base image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

# The registry (SQLite + artifact folder) or, with PostgreSQL and S3 configured, only the local artifact cache.
RUN mkdir -p /data && chown 1654:1654 /data
VOLUME ["/data"]

WORKDIR /app
COPY --from=build /app ./

# The base image's non-root `app` user (APP_UID 1654), numeric so Kubernetes' runAsNonRoot can verify it.
USER 1654

# Kestrel's ports are set by `maas serve` (REST on --http-port, gRPC on --grpc-port); the base image's default
# ASPNETCORE_HTTP_PORTS=8080 would only add a warning.
ENV ASPNETCORE_HTTP_PORTS= \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8000 8001

# No HEALTHCHECK: the image has no HTTP client to run one, and Kubernetes ignores it in favour of its probes
# (/v2/health/live, /v2/health/ready); `docker run` users can probe the same routes from outside.
ENTRYPOINT ["dotnet", "maas.dll", "serve", "--host", "0.0.0.0", "--http-port", "8000", "--grpc-port", "8001", "--data", "/data"]
