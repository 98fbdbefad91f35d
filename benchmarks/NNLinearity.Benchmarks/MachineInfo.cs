using System;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.Intrinsics.X86;

namespace NNLinearity.Benchmarks;

/// <summary>Names the CPU and the SIMD paths the runtime uses, for every results table.</summary>
public static class MachineInfo
{
    public static string Describe()
    {
        string cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }

        string isa = Avx512F.IsSupported ? "AVX-512" : Avx2.IsSupported && Fma.IsSupported ? "AVX2+FMA" : Sse2.IsSupported ? "SSE2" : "no x86 SIMD";
        return $"CPU: {cpu}; {Environment.ProcessorCount} logical cores; ISA: {isa}; Vector<double>: {Vector<double>.Count} lanes; .NET {Environment.Version}";
    }
}
