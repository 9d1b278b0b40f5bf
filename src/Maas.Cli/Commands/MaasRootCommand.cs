using System.CommandLine;

namespace Maas.Cli.Commands;

/// <summary>The <c>maas</c> command tree.</summary>
internal static class MaasRootCommand
{
    public static RootCommand Create(CliContext context) => new("Maas: serve models, and manage and call a running Maas server")
    {
        ServeCommand.Create(context),
        ModelsCommand.Create(context),
        PredictCommand.Create(context),
        QuantizeCommand.Create(context),
        JobsCommand.Create(context),
        BenchCommand.Create(context),
        AuditCommand.Create(context),
        KeysCommand.Create(context),
        DeploymentsCommand.Create(context),
        InspectCommand.Create(context),
    };
}
