using System;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace NNLinearity.Benchmarks;

/// <summary>
/// Entry point. With no arguments it runs the headline suite (a few minutes); BenchmarkDotNet's switches select the
/// rest: --list flat, --filter '*Glm*', --job dry.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine(MachineInfo.Describe());
        if (args.Length == 0)
        {
            args = ["--filter", "*GlmFitBench*", "*FmaPeakBench*"];
        }

        var config = DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
