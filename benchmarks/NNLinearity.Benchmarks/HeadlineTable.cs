using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Reports;

namespace NNLinearity.Benchmarks;

/// <summary>One table of ratios from the summaries of one run: ours against each baseline and against the FMA peak.</summary>
public static class HeadlineTable
{
    private sealed record Row(string Bench, string Method, IReadOnlyDictionary<string, string> Parameters, double MeanNs, long? Bytes, string Job);

    public static string Build(IEnumerable<Summary> summaries)
    {
        var rows = new List<Row>();
        foreach (Summary s in summaries)
        {
            foreach (BenchmarkReport r in s.Reports)
            {
                if (r.ResultStatistics is null) continue;
                var parameters = r.BenchmarkCase.Parameters.Items.ToDictionary(p => p.Name, p => Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? "");
                rows.Add(new Row(r.BenchmarkCase.Descriptor.Type.Name, r.BenchmarkCase.Descriptor.WorkloadMethod.Name, parameters,
                    r.ResultStatistics.Mean, r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase), r.BenchmarkCase.Job.ResolvedId));
            }
        }

        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine("## Headline: ratios measured in this run");
        sb.AppendLine(MachineInfo.Describe());
        sb.AppendLine();

        double Peak(string method) => rows.FirstOrDefault(r => r.Bench == "FmaPeakBench" && r.Method == method) is { } p && p.MeanNs > 0
            ? (method switch { "PeakFloat512" => 384e6, "PeakFloat" or "PeakDouble512" => 192e6, _ => 96e6 }) / p.MeanNs : double.NaN;
        double peakD = Peak("PeakDouble"), peakF = Peak("PeakFloat"), peakD512 = Peak("PeakDouble512"), peakF512 = Peak("PeakFloat512");
        string P(double v) => v > 0 ? v.ToString("F1", c) : "n/a";
        sb.AppendLine(c, $"FMA peak, one core: double 256-bit {P(peakD)} GFLOP/s, float 256-bit {P(peakF)}, double 512-bit {P(peakD512)}, float 512-bit {P(peakF512)}");

        // The GEMM micro-kernel runs on the widest accelerated vectors: its percentages are of that width's peak.
        int kernelBits = NNLinearity.Kernels.VectorMath.Use512 ? 512 : System.Numerics.Vector<byte>.Count * 8;
        bool wide = kernelBits >= 512;
        double kernelPeakD = wide ? peakD512 : peakD, kernelPeakF = wide ? peakF512 : peakF;
        sb.AppendLine(c, $"GEMM kernel width here: {kernelBits} bits ({NNLinearity.Kernels.Gemm.Tile} tile: {NNLinearity.Kernels.Gemm.MR<float>()} x {NNLinearity.Kernels.Gemm.NR<float>()} floats, {NNLinearity.Kernels.Gemm.MR<double>()} x {NNLinearity.Kernels.Gemm.NR<double>()} doubles); percentages below are of the {(wide ? 512 : 256)}-bit peak.");
        sb.AppendLine();

        var gemm = rows.Where(r => r.Bench == "GemmBench").ToList();
        if (gemm.Count > 0)
        {
            sb.AppendLine("| GEMM Z = X W^T + b (batch x in x out) | type | threads | ours GFLOP/s | % of 1-core peak | x naive | x MathNet | ours alloc |");
            sb.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var g in gemm.Where(r => r.Method == "Ours"))
            {
                string shape = g.Parameters["Shape"], type = g.Parameters["Type"], threads = g.Parameters["Threads"];
                int[] d = shape.Split('x').Select(int.Parse).ToArray();
                double flops = 2.0 * d[0] * d[1] * d[2];
                double gf = flops / g.MeanNs;
                double peak = type == "F64" ? kernelPeakD : kernelPeakF;
                double Other(string m) => gemm.FirstOrDefault(r => r.Method == m && r.Parameters["Shape"] == shape && r.Parameters["Type"] == type && r.Parameters["Threads"] == threads)?.MeanNs ?? double.NaN;
                sb.AppendLine(c, $"| {shape} | {(type == "F64" ? "double" : "float")} | {(threads == "0" ? "all" : threads)} | {gf:F1} | {100 * gf / peak:F0}% | {Other("Naive") / g.MeanNs:F1} | {Other("MathNetBlas") / g.MeanNs:F1} | {g.Bytes} B |");
            }

            sb.AppendLine();
        }

        var tiles = rows.Where(r => r.Bench == "GemmTileBench").ToList();
        if (tiles.Count > 0)
        {
            // Each job is a process with its own vector width and tile (GemmTileBench.cs); x4 / x2 compares the tiles at one width.
            string[] jobs = tiles.Select(t => t.Job).Distinct().ToArray();
            sb.AppendLine("| GEMM tiles, one thread, GFLOP/s | type | " + string.Join(" | ", jobs) + " | v256 x4 / x2 | v128 x4 / x2 |");
            sb.AppendLine("|---|---|" + string.Concat(jobs.Select(_ => "---|")) + "---|---|");
            foreach (var group in tiles.GroupBy(t => (Shape: t.Parameters["Shape"], Type: t.Parameters["Type"])))
            {
                int[] d = group.Key.Shape.Split('x').Select(int.Parse).ToArray();
                double flops = 2.0 * d[0] * d[1] * d[2];
                double Ns(string job) => group.FirstOrDefault(t => t.Job == job)?.MeanNs ?? double.NaN;
                string Ratio(string width) => (Ns(width + "x2") / Ns(width + "x4")).ToString("F2", c);
                sb.AppendLine(c, $"| {group.Key.Shape} | {(group.Key.Type == "F64" ? "double" : "float")} | {string.Join(" | ", jobs.Select(j => (flops / Ns(j)).ToString("F1", c)))} | {Ratio("v256")} | {Ratio("v128")} |");
            }

            sb.AppendLine();
        }

        var steps = rows.Where(r => r.Bench == "TrainStepBench").ToList();
        if (steps.Count > 0)
        {
            sb.AppendLine("| SGD training step, float | threads | ours samples/s | naive scalar samples/s | x naive | ours GFLOP/s | % of 1-core peak | ours alloc |");
            sb.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var s in steps.Where(r => r.Method == "Ours"))
            {
                string model = s.Parameters["Model"], threads = s.Parameters["Threads"];
                bool big = model == "Mlp784";
                int batch = big ? 256 : 32;
                // Products: forward and dW for every layer, dX for all but the first: 2 flops per multiply-add.
                double macs = big ? 784.0 * 256 * 2 + 256.0 * 256 * 3 + 256.0 * 10 * 3 : 64.0 * 64 * 2 + 64.0 * 3;
                double gf = 2 * batch * macs / s.MeanNs;
                double naive = steps.FirstOrDefault(r => r.Method == "Naive" && r.Parameters["Model"] == model && r.Parameters["Threads"] == threads)?.MeanNs ?? double.NaN;
                string name = big ? "784-256-256-10 tanh/softmax, batch 256" : "64-64-1 tanh/logistic, batch 32";
                sb.AppendLine(c, $"| {name} | {(threads == "0" ? "all" : threads)} | {batch / s.MeanNs * 1e9:N0} | {batch / naive * 1e9:N0} | {naive / s.MeanNs:F1} | {gf:F1} | {100 * gf / kernelPeakF:F0}% | {s.Bytes} B |");
            }

            sb.AppendLine();
        }

        var torch = rows.Where(r => r.Bench == "TorchStepBench").ToList();
        if (torch.Count > 0)
        {
            sb.AppendLine("| SGD training step, float | threads | libtorch samples/s | ours / libtorch |");
            sb.AppendLine("|---|---|---|---|");
            foreach (var t in torch)
            {
                string model = t.Parameters["Model"], threads = t.Parameters["Threads"];
                int batch = model == "Mlp784" ? 256 : 32;
                double ours = steps.FirstOrDefault(r => r.Method == "Ours" && r.Parameters["Model"] == model && r.Parameters["Threads"] == threads)?.MeanNs ?? double.NaN;
                sb.AppendLine(c, $"| {model} | {(threads == "0" ? "all" : threads)} | {batch / t.MeanNs * 1e9:N0} | {t.MeanNs / ours:F2} |");
            }

            sb.AppendLine();
        }

        var elementwise = rows.Where(r => r.Bench == "ElementwiseBench").ToList();
        if (elementwise.Count > 0)
        {
            sb.AppendLine("| 10^7 floats, one thread | ours Gelem/s | TensorPrimitives Gelem/s | scalar Gelem/s | x TensorPrimitives | x scalar |");
            sb.AppendLine("|---|---|---|---|---|---|");
            foreach (string f in new[] { "Exp", "Log", "Tanh", "Logistic", "Softplus", "NormalCdf" })
            {
                double T(string m) => elementwise.FirstOrDefault(r => r.Method == f + m)?.MeanNs ?? double.NaN;
                double ours = T("Ours"), tp = T("TensorPrimitives"), scalar = T("Scalar");
                string F(double v, string format) => double.IsNaN(v) ? "-" : v.ToString(format, c); // TensorPrimitives lacks softplus and the normal CDF
                sb.AppendLine(c, $"| {f.ToLowerInvariant()} | {F(1e7 / ours, "F2")} | {F(1e7 / tp, "F2")} | {F(1e7 / scalar, "F2")} | {F(tp / ours, "F2")} | {F(scalar / ours, "F1")} |");
            }

            sb.AppendLine();
        }

        var inCache = rows.Where(r => r.Bench == "ElementwiseInCacheBench").ToList();
        if (inCache.Count > 0)
        {
            sb.AppendLine("| 16,384 floats in cache, one thread | ours Gelem/s | TensorPrimitives Gelem/s | x TensorPrimitives |");
            sb.AppendLine("|---|---|---|---|");
            foreach (string f in new[] { "Exp", "Log", "Tanh", "Logistic" })
            {
                double T(string m) => inCache.FirstOrDefault(r => r.Method == f + m)?.MeanNs ?? double.NaN;
                double ours = T("Ours"), tp = T("TensorPrimitives");
                string F(double v, string format) => double.IsNaN(v) ? "-" : v.ToString(format, c);
                sb.AppendLine(c, $"| {f.ToLowerInvariant()} | {F(ElementwiseInCacheBench.N / ours, "F2")} | {F(ElementwiseInCacheBench.N / tp, "F2")} | {F(tp / ours, "F2")} |");
            }

            sb.AppendLine();
        }

        var glm = rows.Where(r => r.Bench == "GlmFitBench").ToList();
        if (glm.Count > 0)
        {
            sb.AppendLine("| GLM fit, 1,000,000 x 20 | threads | job | ours (Cholesky) | same, no per-row results | QR baseline | x QR |");
            sb.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var g in glm.Where(r => r.Method == "FitCholesky"))
            {
                double Same(string method) => glm.FirstOrDefault(r => r.Method == method && r.Job == g.Job && r.Parameters["Problem"] == g.Parameters["Problem"] && r.Parameters["Threads"] == g.Parameters["Threads"])?.MeanNs ?? double.NaN;
                double qr = Same("FitQr"), lean = Same("FitCholeskyWithoutRowResults");
                sb.AppendLine(c, $"| {g.Parameters["Problem"]} | {(g.Parameters["Threads"] == "0" ? "all" : g.Parameters["Threads"])} | {g.Job} | {g.MeanNs / 1e6:F0} ms | {lean / 1e6:F0} ms | {qr / 1e6:F0} ms | {qr / g.MeanNs:F1} |");
            }
        }

        // A baseline not run (the quick default run measures ours and the peers only) shows as "-", not NaN.
        return sb.ToString().Replace("NaN ms", "-", StringComparison.Ordinal).Replace("NaN", "-", StringComparison.Ordinal);
    }
}
