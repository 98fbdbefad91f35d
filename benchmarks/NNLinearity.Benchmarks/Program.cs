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
        if (args.Length is 2 or 3 && args[0] == "first-fit")
        {
            FirstFit(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), compiles: args.Length == 3 && args[2] == "compiles", keepRows: args.Length == 2 || args[2] != "lean");
            return 0;
        }

        if (args.Length is 2 or 3 && args[0] == "repeat-fit")
        {
            RepeatFit(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), keepRows: args.Length == 2 || args[2] != "lean");
            return 0;
        }

        if (args.Length == 2 && args[0] == "analyze-linearity")
        {
            AnalyzeLinearity(args[1]);
            return 0;
        }

        if (args.Length == 2 && args[0] == "export-wide-glm-data")
        {
            WideGlmBench.Export(args[1]);
            return 0;
        }

        if (args.Length == 2 && args[0] == "export-glm-data")
        {
            ExportGlmData(args[1]);
            return 0;
        }

        if (args.Length is 4 or 5 && args[0] == "generate-stream-data")
        {
            StreamingFiles.Generate(long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
                args[3], raw: args.Length == 5 && args[4] == "raw").GetAwaiter().GetResult();
            return 0;
        }

        if (args.Length is 2 or 3 && args[0] == "stream-fit")
        {
            StreamingFiles.Fit(args[1], args.Length == 3 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : -1);
            return 0;
        }

        if (args.Length is 2 or 3 && args[0] == "stream-fit-raw")
        {
            StreamingFiles.FitRaw(args[1], args.Length == 3 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : -1);
            return 0;
        }

        if (args.Length == 3 && args[0] == "stream-fit-orleans")
        {
            OrleansFit.Run(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)).GetAwaiter().GetResult();
            return 0;
        }

        if (args.Length == 0)
        {
            // The default run: one case per headline row, three iterations each, then the peers (a few minutes).
            Environment.SetEnvironmentVariable("NNLINEARITY_BENCH_QUICK", "1");
            args = ["--filter", "*FmaPeakBench*", "*GemmBench.Ours", "*GemmBench.OursPackingInside", "*TrainStepBench.Ours", "*FitEpochBench.Ours", "*PredictBench.Ours", "*ElementwiseBench.*Ours", "*ElementwiseBench.*TensorPrimitives", "*GlmFitBench.FitCholesky"];
        }
        else if (args is ["--full"])
        {
            // The full headline suite: every shape, thread count and baseline (about 15 minutes).
            args = ["--filter", "*FmaPeakBench*", "*GemmBench*", "*TrainStepBench*", "*FitEpochBench*", "*PredictBench*", "*ElementwiseBench*", "*ElementwiseInCacheBench*", "*GlmFitBench*"];
        }

        var config = DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToList();
        Console.WriteLine(HeadlineTable.Build(summaries));
        Console.WriteLine(Peers.Table(summaries));
        return 0;
    }

    /// <summary>
    /// A script's first fit in a fresh process, then the same fit again (warm): the logistic problem of GlmFitBench at the
    /// given rows, the default options (without per-row results with "lean"; "compiles" lists the slowest compiles of the
    /// first fit). Run it in several fresh processes: the first figure is the cost a one-shot script pays.
    /// </summary>
    private static void FirstFit(int rows, bool compiles, bool keepRows)
    {
        (double[] x, double[] y) = GlmFitBench.Generate(GlmProblem.Logistic, rows, GlmFitBench.Columns, 42);
        using CompileLog? log = compiles ? new CompileLog() : null;
        TimeSpan compiling = System.Runtime.JitInfo.GetCompilationTime();
        long methods = System.Runtime.JitInfo.GetCompiledMethodCount();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var first = NNLinearity.Glm.Glm.Fit(x, rows, GlmFitBench.Columns, y, NNLinearity.Families.GlmFamily.Binomial, options: new NNLinearity.Glm.GlmOptions { KeepRowResults = keepRows });
        double t1 = clock.Elapsed.TotalSeconds;
        compiling = System.Runtime.JitInfo.GetCompilationTime() - compiling;
        methods = System.Runtime.JitInfo.GetCompiledMethodCount() - methods;
        if (log is not null)
        {
            System.Threading.Thread.Sleep(300); // the listener's events arrive on another thread
            Console.WriteLine(log.Report(15));
        }

        clock.Restart();
        var second = NNLinearity.Glm.Glm.Fit(x, rows, GlmFitBench.Columns, y, NNLinearity.Families.GlmFamily.Binomial, options: new NNLinearity.Glm.GlmOptions { KeepRowResults = keepRows });
        double t2 = clock.Elapsed.TotalSeconds;
        var later = new double[5];
        for (int r = 0; r < later.Length; r++)
        {
            clock.Restart();
            NNLinearity.Glm.Glm.Fit(x, rows, GlmFitBench.Columns, y, NNLinearity.Families.GlmFamily.Binomial, options: new NNLinearity.Glm.GlmOptions { KeepRowResults = keepRows });
            later[r] = clock.Elapsed.TotalSeconds;
        }

        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"first-fit {rows} rows{(keepRows ? "" : " (KeepRowResults = false)")}: first {t1:F3} s ({compiling.TotalSeconds:F3} s compiling {methods} methods), second {t2:F3} s, ratio {t1 / t2:F2}; later fits {string.Join(" ", later.Select(t => t.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))} s (deviances {first.Deviance:R} {second.Deviance:R})"));
    }

    /// <summary>Default fits one after another, each dropped before the next, with the time and the process's memory after each.</summary>
    private static void RepeatFit(int rows, bool keepRows)
    {
        (double[] x, double[] y) = GlmFitBench.Generate(GlmProblem.Logistic, rows, GlmFitBench.Columns, 42);
        var clock = new System.Diagnostics.Stopwatch();
        for (int r = 0; r < (Environment.GetEnvironmentVariable("REPEATS") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 6); r++)
        {
            clock.Restart();
            var fit = NNLinearity.Glm.Glm.Fit(x, rows, GlmFitBench.Columns, y, NNLinearity.Families.GlmFamily.Binomial, options: new NNLinearity.Glm.GlmOptions { KeepRowResults = keepRows });
            double t = clock.Elapsed.TotalSeconds;
            GC.KeepAlive(fit);
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"repeat-fit {rows} rows{(keepRows ? "" : " (KeepRowResults = false)")}, fit {r + 1}: {t:F3} s, working set {self.WorkingSet64 / 1e9:F2} GB, managed heap {GC.GetTotalMemory(false) / 1e9:F2} GB"));
        }
    }

    /// <summary>One analysis of LinearityBench's network in this process, with its stages' times, the peak working set and the report.</summary>
    private static void AnalyzeLinearity(string network)
    {
        var (model, x, y) = LinearityBench.Build(network);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string stage = "";
        var progress = new SynchronousProgress(p =>
        {
            if (p.Stage != stage)
            {
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  {clock.Elapsed.TotalSeconds,6:F2} s: {p.Stage}"));
                stage = p.Stage;
            }
        });
        var report = NNLinearity.Linearity.LinearityAnalysis.Analyze(model, x, y, new NNLinearity.Linearity.LinearityOptions { Progress = progress });
        double t = clock.Elapsed.TotalSeconds;
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        Console.WriteLine(report);
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"analyze-linearity {network}: {t:F2} s, peak working set {self.PeakWorkingSet64 / 1e6:F0} MB"));
    }

    private sealed class SynchronousProgress(Action<NNLinearity.Linearity.LinearityProgress> report) : IProgress<NNLinearity.Linearity.LinearityProgress>
    {
        public void Report(NNLinearity.Linearity.LinearityProgress value) => report(value);
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
