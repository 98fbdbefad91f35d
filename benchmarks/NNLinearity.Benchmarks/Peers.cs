using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Reports;

namespace NNLinearity.Benchmarks;

/// <summary>
/// The peers of the headline rows, run in the same session as the library's benchmarks: numpy/OpenBLAS for GEMM,
/// PyTorch for training steps and predictions, scikit-learn and R for the GLM fit (peers/peers.py and r/glm_fit_timing.R on the same
/// data). A peer that is not installed is reported as missing, with what to install.
/// </summary>
public static class Peers
{
    private static readonly string[] PythonRuns = ["gemm", "train", "train-fit", "predict"];

    private sealed record Measurement(string Peer, string Work, string? Type, int Threads, double Seconds, string Config);

    public static string Table(IReadOnlyList<Summary> summaries)
    {
        if (Environment.GetEnvironmentVariable("NNLINEARITY_BENCH_DRY") == "1") return "Peers: not run in the dry run.";
        string? root = Root();
        if (root is null) return "Peers: the repository's benchmarks folder was not found; run from a clone.";
        var found = new List<Measurement>();
        var missing = new List<string>();
        string peersPy = Path.Combine(root, "benchmarks", "NNLinearity.Benchmarks", "peers", "peers.py");
        string glmData = Path.Combine(Path.GetTempPath(), "nnlinearity-glmdata");
        bool needGlm = summaries.Any(s => s.Reports.Any(r => r.BenchmarkCase.Descriptor.Type.Name == "GlmFitBench"));
        if (needGlm && !File.Exists(Path.Combine(glmData, "logistic_y.bin"))) Program.ExportGlmData(glmData);
        string wideData = Path.Combine(Path.GetTempPath(), "nnlinearity-widedata");
        bool needWide = summaries.Any(s => s.Reports.Any(r => r.BenchmarkCase.Descriptor.Type.Name == "WideGlmBench"));
        if (needWide && !File.Exists(Path.Combine(wideData, "wide_200000x500_y.bin"))) WideGlmBench.Export(wideData);

        string? python = Python();
        if (python is null) missing.Add("python3 (apt-get install python3-numpy python3-torch python3-sklearn libopenblas0-pthread python3-threadpoolctl)");
        else
        {
            foreach (string args in PythonRuns.Concat(needGlm ? [$"glm {glmData}"] : []).Concat(needWide ? [$"glm-wide {wideData}"] : []))
            {
                foreach (string line in RunLines(python, $"{peersPy} {args}", bestConfiguration: true))
                {
                    using var doc = JsonDocument.Parse(line);
                    JsonElement e = doc.RootElement;
                    if (e.TryGetProperty("missing", out JsonElement m)) { missing.Add($"{e.GetProperty("peer").GetString()}: {m.GetString()}"); continue; }
                    found.Add(new Measurement(e.GetProperty("peer").GetString()!, e.GetProperty("work").GetString()!,
                        e.TryGetProperty("type", out JsonElement t) ? t.GetString() : null,
                        e.TryGetProperty("threads", out JsonElement th) ? th.GetInt32() : 1, e.GetProperty("seconds").GetDouble(), e.GetProperty("config").GetString() ?? ""));
                }
            }
        }

        if (needGlm)
        {
            if (Which("Rscript") is null) missing.Add("R (apt-get install r-base-core libopenblas0-pthread)");
            else
            {
                // The logistic fit only; the default run times one fit (R takes 2-12 s a fit here), the full suite the median of three.
                int repeats = BenchMode.Quick ? 1 : 3;
                foreach (string line in RunLines("Rscript", $"{Path.Combine(root, "benchmarks", "NNLinearity.Benchmarks", "r", "glm_fit_timing.R")} {glmData} logistic {repeats}", bestConfiguration: true).Where(l => l.StartsWith("logistic:", StringComparison.Ordinal)))
                {
                    // "logistic: R 4.2.2 glm.fit 2.18 s (median of 3), ..."
                    string[] words = line.Split(' ');
                    int at = Array.IndexOf(words, "glm.fit");
                    found.Add(new Measurement("R", "logistic GLM 1000000 x 20", null, 1, double.Parse(words[at + 1], CultureInfo.InvariantCulture), $"R {words[2]} glm.fit, {(repeats == 1 ? "one fit" : $"median of {repeats} fits")}"));
                }
            }
        }

        var rows = Ours(summaries);
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("## Peers measured in this run").AppendLine().AppendLine();
        sb.AppendLine("| work | ours | peer | peer's figure | speed-up (peer's time / ours) | peer's configuration |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (Measurement m in found)
        {
            string key = m.Work.StartsWith("gemm", StringComparison.Ordinal) ? $"gemm|{m.Type}|{m.Threads}"
                : m.Work.StartsWith("train step 784", StringComparison.Ordinal) ? "train784"
                : m.Work.StartsWith("train step 64", StringComparison.Ordinal) ? "train64"
                : m.Work.StartsWith("train fit", StringComparison.Ordinal) ? $"fit|{m.Threads}"
                : m.Work.StartsWith("predict", StringComparison.Ordinal) ? "predict"
                : m.Work.StartsWith("logistic GLM 1000000x100", StringComparison.Ordinal) || m.Work.StartsWith("logistic GLM 200000x500", StringComparison.Ordinal) ? $"wide|{m.Work["logistic GLM ".Length..]}|{m.Threads}" : "glm";
            rows.TryGetValue(key, out double ours);
            (string oursText, string peerText, double ratio) = key switch
            {
                _ when key.StartsWith("gemm", StringComparison.Ordinal) => ($"{2 * Math.Pow(1024, 3) / ours:F1} GFLOP/s", $"{2 * Math.Pow(1024, 3) / m.Seconds / 1e9:F1} GFLOP/s", m.Seconds * 1e9 / ours),
                "train784" => ($"{256 / (ours * 1e-9):N0} samples/s", $"{256 / m.Seconds:N0} samples/s", m.Seconds * 1e9 / ours),
                "train64" => ($"{32 / (ours * 1e-9):N0} samples/s", $"{32 / m.Seconds:N0} samples/s", m.Seconds * 1e9 / ours),
                "predict" => ($"{PredictBench.Rows / (ours * 1e-9):N0} rows/s", $"{PredictBench.Rows / m.Seconds:N0} rows/s", m.Seconds * 1e9 / ours),
                _ when key.StartsWith("fit", StringComparison.Ordinal) => ($"{FitEpochBench.Rows * FitEpochBench.Epochs / (ours * 1e-9):N0} samples/s", $"{FitEpochBench.Rows / m.Seconds:N0} samples/s", m.Seconds * FitEpochBench.Epochs * 1e9 / ours),
                _ => ($"{ours * 1e-9:F3} s", $"{m.Seconds:F3} s", m.Seconds * 1e9 / ours),
            };
            sb.AppendLine(c, $"| {m.Work}{(m.Type is null ? "" : " " + m.Type)}, {m.Threads} thread(s) | {(ours > 0 ? oursText : "not measured in this run")} | {m.Peer} | {peerText} | {(ours > 0 ? ratio.ToString("F2", c) + "x" : "n/a")} | {m.Config} |");
            if (key.StartsWith("gemm", StringComparison.Ordinal) && rows.TryGetValue("gemmfresh" + key["gemm".Length..], out double fresh))
            {
                // A BLAS call packs its operands every time: the fair comparison for a product of fresh matrices.
                sb.AppendLine(c, $"| {m.Work} {m.Type}, {m.Threads} thread(s), W packed inside the call | {2 * Math.Pow(1024, 3) / fresh:F1} GFLOP/s | {m.Peer} | {peerText} | {m.Seconds * 1e9 / fresh:F2}x | {m.Config} |");
            }
        }

        foreach (string m in missing) sb.AppendLine(c, $"| | | missing | {m} | | |");
        sb.AppendLine().AppendLine(c, $"Every peer ran without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE and with {string.Join(", ", PeerMalloc.Select(e => $"{e.Name}={e.Value}"))} (glibc malloc keeps freed blocks: see Peers.PeerMalloc).");
        return sb.ToString();
    }

    /// <summary>Our mean times (ns) for the rows that have peers, keyed as the peers' rows are.</summary>
    private static Dictionary<string, double> Ours(IReadOnlyList<Summary> summaries)
    {
        var d = new Dictionary<string, double>();
        foreach (BenchmarkReport r in summaries.SelectMany(s => s.Reports))
        {
            if (r.ResultStatistics is null) continue;
            string type = r.BenchmarkCase.Descriptor.Type.Name, method = r.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            var p = r.BenchmarkCase.Parameters.Items.ToDictionary(i => i.Name, i => Convert.ToString(i.Value, CultureInfo.InvariantCulture) ?? "");
            string? key = (type, method) switch
            {
                ("GemmBench", "Ours") when p["Shape"] == "1024x1024x1024" => $"gemm|{(p["Type"] == "F64" ? "double" : "float")}|{(p["Threads"] == "0" ? 2 : 1)}",
                ("GemmBench", "OursPackingInside") when p["Shape"] == "1024x1024x1024" => $"gemmfresh|{(p["Type"] == "F64" ? "double" : "float")}|{(p["Threads"] == "0" ? 2 : 1)}",
                ("TrainStepBench", "Ours") when p["Threads"] == "1" => p["Model"] == "Mlp784" ? "train784" : "train64",
                ("FitEpochBench", "Ours") => $"fit|{p["Threads"]}",
                ("PredictBench", "Ours") => "predict",
                ("WideGlmBench", "Fit") => $"wide|{p["Shape"]}|{p["Threads"]}",
                ("GlmFitBench", "FitCholesky") when p["Problem"] == "Logistic" && p["Threads"] == "1" && r.BenchmarkCase.Job.ResolvedId == "ForcedGC" => "glm",
                _ => null,
            };
            if (key is not null) d[key] = r.ResultStatistics.Median;
        }

        return d;
    }

    private static string? Root()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "NNLinearity.sln"))) dir = Path.GetDirectoryName(dir);
        return dir;
    }

    /// <summary>
    /// The python3 with the most of the peers' packages (numpy, torch, scikit-learn), the first one on a tie: a user's
    /// own interpreter (pyenv, a venv) may shadow Debian's, which has them; else the first python3.
    /// </summary>
    private static readonly string[] PeerModules = ["numpy", "torch", "sklearn"];

    private static string? Python()
    {
        string[] candidates = new[] { Which("python3"), "/usr/bin/python3" }.Where(p => p is not null && File.Exists(p)).Distinct().ToArray()!;
        string? best = null;
        int bestCount = 0;
        foreach (string candidate in candidates)
        {
            int count = PeerModules.Count(module => Imports(candidate, module));
            if (count > bestCount)
            {
                best = candidate;
                bestCount = count;
            }
        }

        return best ?? candidates.FirstOrDefault();
    }

    private static bool Imports(string python, string module)
    {
        using Process? probe = Process.Start(new ProcessStartInfo(python, $"-c \"import {module}\"") { RedirectStandardError = true, UseShellExecute = false });
        return probe is not null && probe.WaitForExit(60_000) && probe.ExitCode == 0;
    }

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    /// <summary>
    /// glibc malloc settings given to the peers, whose arrays come from malloc. Keep freed memory in the heap (no
    /// trimming, a 256 MB top pad) and serve blocks up to 32 MB (glibc's largest mmap threshold) from it: PyTorch
    /// allocates every activation and gradient afresh, and by default each block above 128 KB is a new mapping whose
    /// pages fault in again on every step, which on this virtual machine halved its training step (2026-12-02:
    /// 44,600-52,400 samples/s without, 94,000-107,000 with; the effect of the tcmalloc or jemalloc preload PyTorch's
    /// CPU tuning guide recommends, without a package). Larger blocks are still mapped afresh; glibc's hugetlb tunable
    /// asks for transparent huge pages for them (the library's own large buffers do the same), which took R's glm.fit
    /// from 7.96 to 3.92 s on the 10^6 x 20 logistic fit (scikit-learn unchanged: numpy already asks).
    /// </summary>
    internal static readonly (string Name, string Value)[] PeerMalloc =
    [
        ("MALLOC_MMAP_THRESHOLD_", "33554432"),
        ("MALLOC_TRIM_THRESHOLD_", "4294967296"),
        ("MALLOC_TOP_PAD_", "268435456"),
        ("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1"),
    ];

    private static string[] RunLines(string program, string arguments, bool bestConfiguration)
    {
        var psi = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (bestConfiguration)
        {
            // A forced core type makes OpenBLAS skip its AVX-512 kernels: give the peers their best configuration.
            psi.Environment.Remove("OPENBLAS_CORETYPE");
            psi.Environment.Remove("OPENBLAS_L2_SIZE");
            foreach ((string name, string value) in PeerMalloc) psi.Environment[name] = value;
        }

        using Process process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(30 * 60 * 1000);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
