using System;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace NNLinearity.Benchmarks;

/// <summary>
/// Entry point. With no arguments it runs a quick headline run (one case per headline row, three iterations, then the
/// peers: a few minutes); --full runs the full headline suite; BenchmarkDotNet's switches select the rest:
/// --list flat, --filter '*Glm*', --job dry.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine(MachineInfo.Describe());
        if (args.Length == 2 && args[0] == "export-glm-data")
        {
            ExportGlmData(args[1]);
            return 0;
        }

        if (args.Length == 0)
        {
            // The default run: one case per headline row, three iterations each, then the peers (a few minutes).
            Environment.SetEnvironmentVariable("NNLINEARITY_BENCH_QUICK", "1");
            args = ["--filter", "*FmaPeakBench*", "*GemmBench.Ours", "*TrainStepBench.Ours", "*ElementwiseBench.*Ours", "*ElementwiseBench.*TensorPrimitives", "*GlmFitBench.FitCholesky"];
        }
        else if (args is ["--full"])
        {
            // The full headline suite: every shape, thread count and baseline (about 15 minutes).
            args = ["--filter", "*FmaPeakBench*", "*GemmBench*", "*TrainStepBench*", "*ElementwiseBench*", "*GlmFitBench*"];
        }

        var config = DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToList();
        Console.WriteLine(HeadlineTable.Build(summaries));
        Console.WriteLine(Peers.Table(summaries));
        return 0;
    }

    /// <summary>Writes GlmFitBench's data sets as little-endian doubles (x row-major, then y), for r/glm_fit_timing.R.</summary>
    internal static void ExportGlmData(string folder)
    {
        System.IO.Directory.CreateDirectory(folder);
        foreach (GlmProblem problem in Enum.GetValues<GlmProblem>())
        {
            (double[] x, double[] y) = GlmFitBench.Generate(problem, GlmFitBench.Rows, GlmFitBench.Columns, 42);
            string name = problem.ToString().ToLowerInvariant();
            System.IO.File.WriteAllBytes(System.IO.Path.Combine(folder, name + "_x.bin"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()).ToArray());
            System.IO.File.WriteAllBytes(System.IO.Path.Combine(folder, name + "_y.bin"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(y.AsSpan()).ToArray());
            Console.WriteLine($"wrote {name}: {GlmFitBench.Rows} x {GlmFitBench.Columns}");
        }
    }
}
