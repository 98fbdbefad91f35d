using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Numerics;

namespace NNLinearity.Benchmarks;

/// <summary>
/// Two jobs: BenchmarkDotNet's default, which forces a full collection before every iteration, and "NoForcedGC",
/// where collections happen as in a long-running application. A fit owns about 40 MB of per-row results (eta, mu,
/// working weights, the response); after a forced collection that memory is given back and faulted in again, which
/// on this VM costs about 23 ms per 8 MB. The difference between the two jobs is that cost.
/// </summary>
public sealed class GlmFitConfig : ManualConfig
{
    public GlmFitConfig()
    {
        if (Environment.GetEnvironmentVariable("NNLINEARITY_BENCH_DRY") == "1")
        {
            AddJob(Job.Dry); // CI's smoke run: every benchmark once, so that none can rot
            return;
        }

        if (BenchMode.Quick)
        {
            AddJob(BenchMode.QuickJob.WithStrategy(RunStrategy.Monitoring).WithId("ForcedGC"));
            return;
        }

        Job baseJob = Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(7);
        AddJob(baseJob.WithId("ForcedGC"));
        AddJob(baseJob.WithGcForce(false).WithId("NoForcedGC"));
    }
}

public enum GlmProblem
{
    Logistic,
    Poisson,
}

/// <summary>
/// Issue-sized GLM fits: n = 1,000,000 rows, 20 dense columns plus the intercept, double, generated from seed 42;
/// R's convergence rule (epsilon 1e-8). Per-iteration time is the fit time divided by the iteration count printed in
/// the setup line. Baseline: the same fit with the pivoted-QR solver (R's algorithm, a QR of W^1/2 X every step).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(GlmFitConfig))]
public class GlmFitBench
{
    private double[] _x = [];
    private double[] _y = [];

    [ParamsSource(nameof(Problems))]
    public GlmProblem Problem { get; set; }

    public static GlmProblem[] Problems => BenchMode.Quick ? [GlmProblem.Logistic] : [GlmProblem.Logistic, GlmProblem.Poisson];

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public static int[] ThreadCounts => BenchMode.Quick ? [1] : [1, 0];

    public const int Rows = 1_000_000;
    public const int Columns = 20;

    [GlobalSetup]
    public void Setup()
    {
        (_x, _y) = Generate(Problem, Rows, Columns, 42);
        GlmFit fit = Fit(GlmSolver.Auto);
        Console.WriteLine($"// {Problem}: {fit.Iterations} iterations, deviance {fit.Deviance:R}, solver {(fit.SolvedByQr ? "QR" : "Cholesky")}");
    }

    public static (double[] X, double[] Y) Generate(GlmProblem problem, int n, int k, int seed) =>
        NNLinearity.Tests.Fixtures.LargeGlmData.Generate((NNLinearity.Tests.Fixtures.LargeGlmProblem)problem, n, k, seed);

    private GlmFit Fit(GlmSolver solver, bool keepRows = true) => NNLinearity.Glm.Glm.Fit(_x, Rows, Columns, _y,
        Problem == GlmProblem.Logistic ? GlmFamily.Binomial : GlmFamily.Poisson,
        options: new GlmOptions { MaxDegreeOfParallelism = Threads <= 0 ? -1 : Threads, Solver = solver, KeepRowResults = keepRows });

    [Benchmark]
    public double FitCholesky() => Fit(GlmSolver.Auto).Deviance;

    /// <summary>The same fit and the same model without the per-row results (GlmOptions.KeepRowResults = false): its buffers are pooled.</summary>
    [Benchmark]
    public double FitCholeskyWithoutRowResults() => Fit(GlmSolver.Auto, keepRows: false).Deviance;

    [Benchmark(Baseline = true)]
    public double FitQr() => Fit(GlmSolver.Qr).Deviance;
}
