using System;
using BenchmarkDotNet.Attributes;
using NNLinearity.Families;
using NNLinearity.Glm;

namespace NNLinearity.Benchmarks;

/// <summary>
/// Wider logistic designs: 1,000,000 x 100 and 200,000 x 500 (+ intercept), LargeGlmData's generator (seed 42), R's
/// convergence rule, fits without per-row results (the design is the memory: 800 MB each). Where the time goes:
/// each IRLS pass with its Gram issues n (p + 1)(p + 2) FLOP on the lower triangle of [X z]^T W [X z] plus the tile
/// diagonals, so the Gram's share of the FMA peak is printed in the setup line. peers.py's "glm-wide" fits the same
/// exported arrays with scikit-learn's newton-cholesky (`-- export-wide-glm-data DIR` writes them).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(GlmFitConfig))]
public class WideGlmBench
{
    private double[] _x = [];
    private double[] _y = [];

    [Params("1000000x100", "200000x500")]
    public string Shape { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    public (int Rows, int Columns) Size => Parse(Shape);

    public static (int Rows, int Columns) Parse(string shape)
    {
        string[] parts = shape.Split('x');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [GlobalSetup]
    public void Setup()
    {
        (int n, int k) = Size;
        (_x, _y) = GlmFitBench.Generate(GlmProblem.Logistic, n, k, 42);
        GlmFit fit = FitModel(1);
        Console.WriteLine($"// {Shape}: {fit.Iterations} iterations, deviance {fit.Deviance:R}; each pass with its Gram issues {(double)n * (k + 1) * (k + 2) / 1e9:F2} GFLOP on the lower triangle");
    }

    [Benchmark]
    public double Fit() => FitModel(Threads).Deviance;

    private GlmFit FitModel(int threads)
    {
        (int n, int k) = Size;
        return NNLinearity.Glm.Glm.Fit(_x, n, k, _y, GlmFamily.Binomial, options: new GlmOptions { MaxDegreeOfParallelism = threads, KeepRowResults = false });
    }

    /// <summary>Writes the two designs and responses for peers.py's glm-wide.</summary>
    public static void Export(string folder)
    {
        System.IO.Directory.CreateDirectory(folder);
        foreach (string shape in new[] { "1000000x100", "200000x500" })
        {
            (int n, int k) = Parse(shape);
            (double[] x, double[] y) = GlmFitBench.Generate(GlmProblem.Logistic, n, k, 42);
            using (var f = System.IO.File.Create(System.IO.Path.Combine(folder, $"wide_{shape}_x.bin"))) f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()));
            using (var f = System.IO.File.Create(System.IO.Path.Combine(folder, $"wide_{shape}_y.bin"))) f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(y.AsSpan()));
            Console.WriteLine($"wrote {shape}");
        }
    }
}
