using Maas.Cli;
using Maas.Cli.Commands;

var context = CliContext.ForProcess();
var root = MaasRootCommand.Create(context);
return await CliInvoker.InvokeAsync(root, args, context);
