using System.CommandLine;
using System.CommandLine.Parsing;

namespace Maas.Cli.Commands;

/// <summary>Range checks for integer options and arguments that stay quiet when the value is not a number at all.</summary>
/// <remarks>
/// System.CommandLine runs validators even after a conversion failed, and reading the value then throws; the
/// conversion error is already reported, so the check just steps aside.
/// </remarks>
internal static class IntRange
{
    public static void Require(Option<int> option, int min, int max)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result => Check(result, () => result.GetValueOrDefault<int>(), option.Name, min, max));
    }

    public static void Require(Option<int?> option, int min, int max)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result => Check(result, () => result.GetValueOrDefault<int?>() ?? min, option.Name, min, max));
    }

    public static void Require(Argument<int> argument, int min, int max)
    {
        ArgumentNullException.ThrowIfNull(argument);
        argument.Validators.Add(result => Check(result, () => result.GetValueOrDefault<int>(), argument.Name.ToUpperInvariant(), min, max));
    }

    public static void Require(Argument<int?> argument, int min, int max)
    {
        ArgumentNullException.ThrowIfNull(argument);
        argument.Validators.Add(result => Check(result, () => result.GetValueOrDefault<int?>() ?? min, argument.Name.ToUpperInvariant(), min, max));
    }

    private static void Check(SymbolResult result, Func<int> read, string label, int min, int max)
    {
        int value;
        try
        {
            value = read();
        }
        catch (InvalidOperationException)
        {
            return;
        }

        if (value < min || value > max)
        {
            result.AddError(max == int.MaxValue ? $"{label} must be {min} or more." : $"{label} must be between {min} and {max}.");
        }
    }
}
