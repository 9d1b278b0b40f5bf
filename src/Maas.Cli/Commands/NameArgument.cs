using System.CommandLine;
using Maas.Core.Models;

namespace Maas.Cli.Commands;

/// <summary>Model and alias name arguments, checked against <see cref="ModelNames.Rule"/> while parsing.</summary>
/// <remarks>Checking here turns a typo into a usage error before a push starts uploading gigabytes.</remarks>
internal static class NameArgument
{
    public static Argument<string> Create(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!ModelNames.IsValid(value))
            {
                result.AddError($"{name} '{value}' is not valid: {ModelNames.Rule}");
            }
        });
        return argument;
    }
}
