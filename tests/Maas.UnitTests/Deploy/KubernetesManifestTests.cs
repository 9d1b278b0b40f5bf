using k8s;
using k8s.Models;
using Maas.Server;
using Maas.Tests.Shared.Deploy;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using YamlDotNet.RepresentationModel;

namespace Maas.UnitTests.Deploy;

/// <summary>deploy/k8s parses as Kubernetes objects (strictly: an unknown or misspelt field fails), the Kustomize base
/// lists every file, and what the objects say agrees with the server: probe routes and ports, the drain time, the
/// settings the containers receive.</summary>
public sealed class KubernetesManifestTests
{
    private const string Folder = "deploy/k8s";

    [Fact]
    public void Manifests_EveryFile_ParsesStrictlyAsKubernetesObjects()
    {
        var kinds = ManifestFiles().SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f), strict: true))
            .Select(o => Assert.IsAssignableFrom<IKubernetesObject>(o))
            .Select(o => $"{o.ApiVersion}/{o.Kind}")
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(
            ["apps/v1/Deployment", "autoscaling/v2/HorizontalPodAutoscaler", "policy/v1/PodDisruptionBudget", "v1/ConfigMap", "v1/Secret", "v1/Service"],
            kinds);
    }

    [Theory]
    [InlineData("readinessProbe:", "readinesProbe:")]
    [InlineData("periodSeconds: 5", "periodSecond: 5")]
    [InlineData("terminationGracePeriodSeconds: 60", "terminationGracePeriod: 60")]
    public void Manifests_MisspeltField_Rejected(string field, string misspelt)
    {
        var text = File.ReadAllText(RepositoryFiles.PathOf($"{Folder}/deployment.yaml"));
        Assert.Contains(field, text, StringComparison.Ordinal);

        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(text.Replace(field, misspelt, StringComparison.Ordinal), strict: true));
    }

    [Fact]
    public void Kustomization_Resources_EveryManifestOnce()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(RepositoryFiles.Read($"{Folder}/kustomization.yaml")));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var resources = ((YamlSequenceNode)root["resources"]).Children.Select(n => ((YamlScalarNode)n).Value!).ToArray();

        Assert.Equal("kustomize.config.k8s.io/v1beta1", ((YamlScalarNode)root["apiVersion"]).Value);
        Assert.Equal(resources.Distinct().Count(), resources.Length);
        Assert.Equal(ManifestFiles().Select(Path.GetFileName).Order(StringComparer.Ordinal), resources.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Deployment_Probes_TheServersHealthRoutesOnItsHttpPort()
    {
        var container = Deployment().Spec.Template.Spec.Containers.Single();
        var http = container.Ports.Single(p => p.Name == "http");
        var probes = new[] { container.StartupProbe, container.LivenessProbe, container.ReadinessProbe };

        Assert.Equal("/v2/health/ready", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/v2/health/live", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/v2/health/live", container.StartupProbe.HttpGet.Path);
        Assert.All(probes, p => Assert.Equal("http", p.HttpGet.Port.Value));
        Assert.Equal(new MaasServerOptions().HttpPort, http.ContainerPort);
        Assert.Equal(MaasServerOptions.DefaultGrpcPort, container.Ports.Single(p => p.Name == "grpc").ContainerPort);

        // A slow model load must not get the pod killed: the startup probe's budget is minutes, not seconds.
        Assert.True(container.StartupProbe.PeriodSeconds * container.StartupProbe.FailureThreshold >= 300);

        // The paths are the server's real GET routes, and liveness answers 200 at once.
        var folder = Directory.CreateTempSubdirectory("maas-k8s-probes");
        try
        {
            await using var app = MaasServer.Build(new MaasServerOptions { DataDirectory = folder.FullName, HttpPort = 0, GrpcPort = 0, RegisterSamples = false });
            var routes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
                .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
                .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
                .ToHashSet(StringComparer.Ordinal);
            Assert.All(probes, p => Assert.Contains(p.HttpGet.Path, routes));

            await app.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            using var live = await client.GetAsync(container.LivenessProbe.HttpGet.Path);
            Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
            await app.StopAsync();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Deployment_Shutdown_GracePeriodCoversPreStopPauseAndDrain()
    {
        var pod = Deployment().Spec.Template.Spec;
        var preStop = pod.Containers.Single().Lifecycle.PreStop.Sleep.Seconds;
        var drain = int.Parse(ConfigMap().Data["shutdownTimeoutSeconds"], System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(preStop >= 5, "endpoints need a few seconds to drop the pod");
        Assert.True(pod.TerminationGracePeriodSeconds > preStop + drain, $"{pod.TerminationGracePeriodSeconds} s ≤ {preStop} s + {drain} s: the kubelet would SIGKILL mid-drain");

        // A rollout starts a new replica (Ready once its models are loaded) before it stops an old one.
        Assert.Equal("0", Deployment().Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
    }

    [Fact]
    public async Task ConfigMap_ShutdownTimeoutSeconds_IsTheServersDrainTime()
    {
        var drain = ConfigMap().Data["shutdownTimeoutSeconds"];
        var folder = Directory.CreateTempSubdirectory("maas-k8s-drain");
        try
        {
            // The ConfigMap reaches the server as environment variables; a command-line setting takes the same path.
            await using var app = MaasServer.Build(
                new MaasServerOptions { DataDirectory = folder.FullName, HttpPort = 0, GrpcPort = 0, RegisterSamples = false },
                [$"--shutdownTimeoutSeconds={drain}"]);

            Assert.Equal(TimeSpan.FromSeconds(int.Parse(drain, System.Globalization.CultureInfo.InvariantCulture)), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Deployment_Security_NonRootReadOnlyRootWithWritableDataAndTmp()
    {
        var pod = Deployment().Spec.Template.Spec;
        var container = pod.Containers.Single();

        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        var mounts = container.VolumeMounts.ToDictionary(m => m.MountPath, m => m.Name);
        Assert.Equal(["/data", "/tmp"], mounts.Keys.Order(StringComparer.Ordinal));
        Assert.All(mounts.Values, name => Assert.NotNull(pod.Volumes.Single(v => v.Name == name).EmptyDir?.SizeLimit));
        Assert.NotNull(container.Resources.Requests["cpu"]);
        Assert.NotNull(container.Resources.Limits["memory"]);
    }

    [Fact]
    public void Service_Ports_TheContainersNamedPortsWithTheirProtocols()
    {
        var service = Load<V1Service>("service.yaml");
        var deployment = Deployment();
        var labels = deployment.Spec.Template.Metadata.Labels;
        var container = deployment.Spec.Template.Spec.Containers.Single();

        Assert.All(service.Spec.Selector, s => Assert.Equal(s.Value, labels[s.Key]));
        Assert.All(deployment.Spec.Selector.MatchLabels, s => Assert.Equal(s.Value, labels[s.Key]));
        var ports = service.Spec.Ports.ToDictionary(p => p.Name);
        Assert.Equal((8000, "http", "http"), (ports["http"].Port, ports["http"].TargetPort.Value, ports["http"].AppProtocol));
        Assert.Equal((8001, "grpc", "kubernetes.io/h2c"), (ports["grpc"].Port, ports["grpc"].TargetPort.Value, ports["grpc"].AppProtocol));
        Assert.All(ports.Values, p => Assert.Contains(container.Ports, c => c.Name == p.TargetPort.Value));
    }

    [Fact]
    public void AutoscalerAndDisruptionBudget_TheDeployment()
    {
        var deployment = Deployment();
        var hpa = Load<V2HorizontalPodAutoscaler>("hpa.yaml");
        var pdb = Load<V1PodDisruptionBudget>("pdb.yaml");

        Assert.Equal(("apps/v1", "Deployment", deployment.Metadata.Name), (hpa.Spec.ScaleTargetRef.ApiVersion, hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
        Assert.True(hpa.Spec.MinReplicas >= 2 && hpa.Spec.MaxReplicas >= hpa.Spec.MinReplicas);
        Assert.Contains(hpa.Spec.Metrics, m => m.Resource?.Name == "cpu" && m.Resource.Target.AverageUtilization > 0);
        Assert.All(pdb.Spec.Selector.MatchLabels, s => Assert.Equal(s.Value, deployment.Spec.Template.Metadata.Labels[s.Key]));

        // One replica may be disrupted while at least one other serves.
        Assert.Equal("1", pdb.Spec.MaxUnavailable.Value);
        Assert.True(hpa.Spec.MinReplicas > 1);
    }

    [Fact]
    public void ConfigMapAndSecret_DatabaseAndBucketSettings_ReachTheContainer()
    {
        var container = Deployment().Spec.Template.Spec.Containers.Single();
        var config = ConfigMap();
        var secret = Load<V1Secret>("secret.yaml");

        Assert.Equal([config.Metadata.Name], container.EnvFrom.Where(e => e.ConfigMapRef is not null).Select(e => e.ConfigMapRef.Name));
        Assert.Equal([secret.Metadata.Name], container.EnvFrom.Where(e => e.SecretRef is not null).Select(e => e.SecretRef.Name));
        Assert.StartsWith("Host=", secret.StringData["Maas__Registry__Database"], StringComparison.Ordinal);
        Assert.Contains("Maximum Pool Size=", secret.StringData["Maas__Registry__Database"], StringComparison.Ordinal);
        Assert.Contains("AWS_ACCESS_KEY_ID", secret.StringData.Keys);
        Assert.Contains("AWS_SECRET_ACCESS_KEY", secret.StringData.Keys);
        Assert.StartsWith("s3://", config.Data["Maas__Registry__Artifacts"], StringComparison.Ordinal);
        Assert.StartsWith("http", config.Data["AWS_ENDPOINT_URL_S3"], StringComparison.Ordinal);
        Assert.Contains("AWS_REGION", config.Data.Keys);

        // Credentials never sit in the ConfigMap.
        Assert.DoesNotContain(config.Data.Keys, k => k.Contains("SECRET", StringComparison.Ordinal) || k.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase) || k == "Maas__Registry__Database");
    }

    internal static V1Deployment Deployment() => Load<V1Deployment>("deployment.yaml");

    private static V1ConfigMap ConfigMap() => Load<V1ConfigMap>("configmap.yaml");

    private static T Load<T>(string file) =>
        Assert.IsType<T>(Assert.Single(KubernetesYaml.LoadAllFromString(RepositoryFiles.Read($"{Folder}/{file}"), strict: true)));

    private static string[] ManifestFiles() =>
        Directory.GetFiles(RepositoryFiles.PathOf(Folder), "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").Order(StringComparer.Ordinal).ToArray();
}
