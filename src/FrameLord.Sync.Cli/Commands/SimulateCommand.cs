using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using FrameLord.Sync.Cli.Simulation;
using FrameLord.Sync.Server.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FrameLord.Sync.Cli.Commands;

/// <summary><c>simulate</c>: runs the simulation, checks its invariants, prints the report; exit 0 only when all held.</summary>
internal sealed class SimulateCommand : AsyncCommand<SimulateCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--devices <N>"), Description("Devices of the one user. Default 3."), DefaultValue(3)]
        public int Devices { get; init; } = 3;

        [CommandOption("--days <D>"), Description("Simulated days. Default 3."), DefaultValue(3)]
        public int Days { get; init; } = 3;

        [CommandOption("--ops-per-day <K>"), Description("Edits per device per day. Default 60."), DefaultValue(60)]
        public int OpsPerDay { get; init; } = 60;

        [CommandOption("--offline-rate <R>"), Description("Share of time a device is offline, 0 to 1. Default 0.2."), DefaultValue(0.2)]
        public double OfflineRate { get; init; } = 0.2;

        [CommandOption("--seed <S>"), Description("Random seed. Default 1."), DefaultValue(1)]
        public int Seed { get; init; } = 1;

        [CommandOption("--policy <POLICY>"), Description("field or entity. Default field."), DefaultValue("field")]
        public string Policy { get; init; } = "field";

        [CommandOption("--faults <LEVEL>"), Description("none, net or all. Default none."), DefaultValue("none")]
        public string Faults { get; init; } = "none";

        [CommandOption("--json"), Description("Print one JSON object instead of tables.")]
        public bool Json { get; init; }

        [CommandOption("--trace <FILE>"), Description("Write the event trace to FILE.")]
        public string? Trace { get; init; }

        [CommandOption("--no-compare"), Description("Skip the second run under the other policy.")]
        public bool NoCompare { get; init; }

        public override ValidationResult Validate()
        {
            if (!Enum.TryParse<ConflictPolicy>(Policy, ignoreCase: true, out _))
            {
                return ValidationResult.Error("--policy must be field or entity");
            }

            if (!Enum.TryParse<FaultLevel>(Faults, ignoreCase: true, out _))
            {
                return ValidationResult.Error("--faults must be none, net or all");
            }

            try
            {
                ToOptions().Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                return ValidationResult.Error(e.Message);
            }

            return ValidationResult.Success();
        }

        public SimulationOptions ToOptions() => new()
        {
            Devices = Devices,
            Days = Days,
            OpsPerDay = OpsPerDay,
            OfflineRate = OfflineRate,
            Seed = Seed,
            Policy = Enum.Parse<ConflictPolicy>(Policy, ignoreCase: true),
            Faults = Enum.Parse<FaultLevel>(Faults, ignoreCase: true),
        };
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = settings.ToOptions();
        await using var trace = settings.Trace is { } path ? new StreamWriter(path) : null;
        SimulationReport report;
        if (settings.Json)
        {
            report = settings.NoCompare ? await Simulator.RunAsync(options, trace) : await Simulator.RunComparedAsync(options, trace);
            Console.WriteLine(JsonSerializer.Serialize(report, SimulationJsonContext.Default.SimulationReport));
            return report.Passed ? 0 : 1;
        }

        report = await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"Simulating {options.Devices} devices for {options.Days} days");
                var progress = new Progress<double>(p => task.Value = p * 100);
                return settings.NoCompare
                    ? await Simulator.RunAsync(options, trace, progress)
                    : await Simulator.RunComparedAsync(options, trace, progress);
            });
        Print(report);
        return report.Passed ? 0 : 1;
    }

    private static void Print(SimulationReport r)
    {
        var table = new Table().AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        void Row(string name, object value) => table.AddRow(name, Markup.Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
        Row("seed / devices / days", $"{r.Seed} / {r.Devices} / {r.Days}");
        Row("policy / faults", $"{r.Policy} / {r.Faults}");
        Row("edits", r.Edits);
        Row("note body edits", r.DocumentEdits);
        Row("conflicts", r.Conflicts);
        Row("needing review", r.NeedsReview);
        Row("conflicts per 1,000 edits", r.ConflictRatePer1000.ToString("F2", CultureInfo.InvariantCulture));
        Row("resolved by the user", r.Resolutions);
        Row("writes lost (must be 0)", r.LostWrites);
        Row("duplicates (must be 0)", r.Duplicates);
        Row("devices converged", r.Converged ? "all" : "NO");
        Row("note bodies converged", r.DocumentsConverged ? "all" : "NO");
        Row("losing values kept", $"{r.LosersKept} of {r.Conflicts}");
        Row("Contact Zero stayed local", r.ContactZeroLocal ? "yes" : "NO");
        Row("entity LWW would overwrite silently", r.EntityPolicyOverwritten?.ToString(CultureInfo.InvariantCulture) ?? "(not run)");
        Row("faults: dropped / duplicated / reordered", $"{r.FaultCounts.Dropped} / {r.FaultCounts.Duplicated} / {r.FaultCounts.Reordered}");
        Row("faults: client restarts / server restarts / offline periods", $"{r.FaultCounts.ClientRestarts} / {r.FaultCounts.ServerRestarts} / {r.FaultCounts.OfflinePeriods}");
        Row("trace hash", r.TraceHash);
        AnsiConsole.Write(table);
        if (r.ConflictsByField.Count > 0)
        {
            var fields = new Table().AddColumn("contested field").AddColumn(new TableColumn("conflicts").RightAligned());
            foreach (var (field, count) in r.ConflictsByField)
            {
                fields.AddRow(field, count.ToString(CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(fields);
        }

        foreach (var violation in r.Violations)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]violation:[/] {violation}");
        }

        AnsiConsole.MarkupLine(r.Passed ? "[green]All invariants held.[/]" : "[red]Invariants violated.[/]");
    }
}
