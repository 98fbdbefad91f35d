using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NNLinearity.Kernels;

/// <summary>
/// The lane-wise operations the elementwise kernels are written against, so that one algorithm runs on every width:
/// <see cref="Vector{T}"/> (128 or 256 bits, or the runtime's software fallback without SIMD) through
/// <see cref="VecD"/> and <see cref="VecF"/>, and 512 bits through <see cref="Vec512D"/> and <see cref="Vec512F"/>.
/// Comparisons return masks of the same type (all bits set in a true lane). Every member is inlined, so a kernel
/// instantiated on a wrapper compiles to the width's intrinsics.
/// </summary>
/// <typeparam name="TSelf">The wrapper.</typeparam>
/// <typeparam name="T">The lane type.</typeparam>
internal interface ISimd<TSelf, T>
    where TSelf : struct, ISimd<TSelf, T>
    where T : unmanaged
{
    static abstract int Count { get; }

    static abstract TSelf Create(T value);

    static abstract TSelf Load(ref T source, nuint offset);

    static abstract void Store(TSelf value, ref T destination, nuint offset);

    /// <summary>
    /// Stores to memory aligned to the vector's size, bypassing the caches where the hardware has a non-temporal
    /// store for the width (a plain store otherwise). For outputs far larger than the caches: it saves reading each
    /// line before writing it. The caller pins the memory and fences once after its last streaming store.
    /// </summary>
    static abstract unsafe void StoreStreaming(TSelf value, T* destination);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, TSelf b);

    static abstract TSelf operator /(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a);

    /// <summary>a b + c rounded once.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);

    static abstract TSelf Min(TSelf a, TSelf b);

    /// <summary>
    /// min(max(x, lo), hi) by the hardware's own min and max (one instruction each): ordered lanes as the maths says;
    /// a NaN lane gives an unspecified value, so a caller restores NaN lanes itself.
    /// </summary>
    static abstract TSelf ClampOrdered(TSelf x, TSelf lo, TSelf hi);

    static abstract TSelf Max(TSelf a, TSelf b);

    static abstract TSelf Abs(TSelf a);

    /// <summary>Round to nearest, ties to even.</summary>
    static abstract TSelf Round(TSelf a);

    static abstract TSelf LessThan(TSelf a, TSelf b);

    static abstract TSelf LessThanOrEqual(TSelf a, TSelf b);

    static abstract TSelf GreaterThan(TSelf a, TSelf b);

    static abstract TSelf GreaterThanOrEqual(TSelf a, TSelf b);

    static abstract TSelf Equal(TSelf a, TSelf b);

    /// <summary>a where the mask is set, else b.</summary>
    static abstract TSelf Select(TSelf mask, TSelf a, TSelf b);

    /// <summary>True when some lane of the mask (a comparison's result: each lane all ones or all zeros) is set.</summary>
    static abstract bool AnyTrue(TSelf mask);

    /// <summary>The sum of the lanes (the width's own horizontal sum).</summary>
    static abstract T Sum(TSelf a);

    /// <summary>
    /// True when every lane of the mask (a comparison's result: each lane all ones or all zeros) is set. The 512-bit
    /// lanes read the lanes' sign bits, which the compiler takes straight from the comparison's mask register.
    /// </summary>
    static abstract bool AllTrue(TSelf mask);

    /// <summary>|magnitude| with the sign bit of <paramref name="sign"/> added (magnitude must be non-negative).</summary>
    static abstract TSelf WithSignOf(TSelf magnitude, TSelf sign);

    /// <summary>2^n for integral n in the normal exponent range (other lanes are unspecified: callers replace them).</summary>
    static abstract TSelf Pow2(TSelf n);

    /// <summary>p 2^n for integral n, the power built in two halves so that results near underflow are rounded once (NaN lanes of n are unspecified: callers replace them).</summary>
    static abstract TSelf ScaleByPow2(TSelf p, TSelf n);

    /// <summary>
    /// For positive finite x (subnormals included): m in [sqrt(1/2), sqrt 2) and the integral k with x = 2^k m
    /// (other inputs give unspecified lanes that callers replace).
    /// </summary>
    static abstract TSelf Reduce(TSelf x, out TSelf k);

    /// <summary><see cref="Reduce"/> for positive, normal, finite x only (no scaling of subnormals): the same lanes there.</summary>
    static abstract TSelf ReduceNormal(TSelf x, out TSelf k);
}

/// <summary>A float wrapper and the double wrapper of the same width, for kernels computed on widened lanes.</summary>
/// <typeparam name="TSelf">The float wrapper.</typeparam>
/// <typeparam name="TD">The double wrapper with half as many lanes.</typeparam>
internal interface ISimdF<TSelf, TD> : ISimd<TSelf, float>
    where TSelf : struct, ISimdF<TSelf, TD>
    where TD : struct, ISimd<TD, double>
{
    static abstract void Widen(TSelf x, out TD lower, out TD upper);

    static abstract TSelf Narrow(TD lower, TD upper);
}

/// <summary><see cref="Vector{T}"/> of double.</summary>
internal readonly struct VecD(Vector<double> v) : ISimd<VecD, double>
{
    public readonly Vector<double> V = v;

    public static int Count => Vector<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(VecD a) => Vector.Sum(a.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD Create(double value) => new(new Vector<double>(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD Load(ref double source, nuint offset) => new(Vector.LoadUnsafe(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(VecD value, ref double destination, nuint offset) => Vector.StoreUnsafe(value.V, ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreStreaming(VecD value, double* destination)
    {
        if (Vector<double>.Count == Vector256<double>.Count && Vector256.IsHardwareAccelerated) Vector256.StoreAlignedNonTemporal(value.V.AsVector256(), destination);
        else if (Vector<double>.Count == Vector128<double>.Count && Vector128.IsHardwareAccelerated) Vector128.StoreAlignedNonTemporal(value.V.AsVector128(), destination);
        else value.V.Store(destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD operator +(VecD a, VecD b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD operator -(VecD a, VecD b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD operator *(VecD a, VecD b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD operator /(VecD a, VecD b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD operator -(VecD a) => new(-a.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD Fma(VecD a, VecD b, VecD c) => new(Vector.FusedMultiplyAdd(a.V, b.V, c.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD Min(VecD a, VecD b) => new(Vector.Min(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD ClampOrdered(VecD x, VecD lo, VecD hi) => new(Vector.MinNative(Vector.MaxNative(x.V, lo.V), hi.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD Max(VecD a, VecD b) => new(Vector.Max(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD Abs(VecD a) => new(Vector.Abs(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD Round(VecD a) => new(Vector.Round(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD LessThan(VecD a, VecD b) => new(Vector.AsVectorDouble(Vector.LessThan(a.V, b.V)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD LessThanOrEqual(VecD a, VecD b) => new(Vector.AsVectorDouble(Vector.LessThanOrEqual(a.V, b.V)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD GreaterThan(VecD a, VecD b) => new(Vector.AsVectorDouble(Vector.GreaterThan(a.V, b.V)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD GreaterThanOrEqual(VecD a, VecD b) => new(Vector.AsVectorDouble(Vector.GreaterThanOrEqual(a.V, b.V)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD Equal(VecD a, VecD b) => new(Vector.AsVectorDouble(Vector.Equals(a.V, b.V)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecD Select(VecD mask, VecD a, VecD b) => new(Vector.ConditionalSelect(Vector.AsVectorInt64(mask.V), a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyTrue(VecD mask) => !Vector.EqualsAll(Vector.AsVectorInt64(mask.V), Vector<long>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllTrue(VecD mask) => !Vector.EqualsAny(Vector.AsVectorInt64(mask.V), Vector<long>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VecD WithSignOf(VecD magnitude, VecD sign) =>
        new(Vector.AsVectorDouble(Vector.AsVectorInt64(magnitude.V) | (Vector.AsVectorInt64(sign.V) & new Vector<long>(long.MinValue))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VecD Pow2(VecD n) => new(Vector.AsVectorDouble(Vector.ShiftLeft(Vector.ConvertToInt64Native(n.V) + new Vector<long>(1023), 52)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VecD ScaleByPow2(VecD p, VecD n)
    {
        Vector<long> ni = Vector.ConvertToInt64Native(n.V);
        Vector<long> n1 = Vector.ShiftRightArithmetic(ni, 1);
        Vector<double> s1 = Vector.AsVectorDouble(Vector.ShiftLeft(n1 + new Vector<long>(1023), 52));
        Vector<double> s2 = Vector.AsVectorDouble(Vector.ShiftLeft(ni - n1 + new Vector<long>(1023), 52));
        return new(p.V * s1 * s2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VecD ReduceNormal(VecD x, out VecD k)
    {
        Vector<long> hx = Vector.AsVectorInt64(x.V) + new Vector<long>(0x3ff0000000000000L - 0x3fe6a09e667f3bcdL);
        k = new(Vector.ConvertToDouble(Vector.ShiftRightArithmetic(hx, 52) - new Vector<long>(0x3ffL)));
        return new(Vector.AsVectorDouble((hx & new Vector<long>(0x000fffffffffffffL)) + new Vector<long>(0x3fe6a09e667f3bcdL)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VecD Reduce(VecD x, out VecD k)
    {
        Vector<long> tiny = Vector.LessThan(x.V, new Vector<double>(2.2250738585072014e-308));
        Vector<double> xs = Vector.ConditionalSelect(tiny, x.V * new Vector<double>(18014398509481984.0), x.V); // 2^54
        // Bias the exponent so that the mantissa lands in [sqrt(2)/2, sqrt(2)): add (1 - sqrt(2)/2) in mantissa units.
        Vector<long> hx = Vector.AsVectorInt64(xs) + new Vector<long>(0x3ff0000000000000L - 0x3fe6a09e667f3bcdL);
        Vector<long> ki = Vector.ShiftRightArithmetic(hx, 52) - new Vector<long>(0x3ff) + (tiny & new Vector<long>(-54));
        k = new(Vector.ConvertToDouble(ki));
        return new(Vector.AsVectorDouble((hx & new Vector<long>(0x000fffffffffffffL)) + new Vector<long>(0x3fe6a09e667f3bcdL)));
    }
}

/// <summary><see cref="Vector{T}"/> of float.</summary>
internal readonly struct VecF(Vector<float> v) : ISimdF<VecF, VecD>
{
    public readonly Vector<float> V = v;

    public static int Count => Vector<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(VecF a) => Vector.Sum(a.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF Create(float value) => new(new Vector<float>(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF Load(ref float source, nuint offset) => new(Vector.LoadUnsafe(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(VecF value, ref float destination, nuint offset) => Vector.StoreUnsafe(value.V, ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreStreaming(VecF value, float* destination)
    {
        if (Vector<float>.Count == Vector256<float>.Count && Vector256.IsHardwareAccelerated) Vector256.StoreAlignedNonTemporal(value.V.AsVector256(), destination);
        else if (Vector<float>.Count == Vector128<float>.Count && Vector128.IsHardwareAccelerated) Vector128.StoreAlignedNonTemporal(value.V.AsVector128(), destination);
        else value.V.Store(destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF operator +(VecF a, VecF b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF operator -(VecF a, VecF b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF operator *(VecF a, VecF b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF operator /(VecF a, VecF b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF operator -(VecF a) => new(-a.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF Fma(VecF a, VecF b, VecF c) => new(Vector.FusedMultiplyAdd(a.V, b.V, c.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF Min(VecF a, VecF b) => new(Vector.Min(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF ClampOrdered(VecF x, VecF lo, VecF hi) => new(Vector.MinNative(Vector.MaxNative(x.V, lo.V), hi.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF Max(VecF a, VecF b) => new(Vector.Max(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF Abs(VecF a) => new(Vector.Abs(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF Round(VecF a) => new(Vector.Round(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF LessThan(VecF a, VecF b) => new(Vector.AsVectorSingle(Vector.LessThan(a.V, b.V)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF LessThanOrEqual(VecF a, VecF b) => new(Vector.AsVectorSingle(Vector.LessThanOrEqual(a.V, b.V)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF GreaterThan(VecF a, VecF b) => new(Vector.AsVectorSingle(Vector.GreaterThan(a.V, b.V)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF GreaterThanOrEqual(VecF a, VecF b) => new(Vector.AsVectorSingle(Vector.GreaterThanOrEqual(a.V, b.V)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF Equal(VecF a, VecF b) => new(Vector.AsVectorSingle(Vector.Equals(a.V, b.V)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF Select(VecF mask, VecF a, VecF b) => new(Vector.ConditionalSelect(Vector.AsVectorInt32(mask.V), a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyTrue(VecF mask) => !Vector.EqualsAll(Vector.AsVectorInt32(mask.V), Vector<int>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllTrue(VecF mask) => !Vector.EqualsAny(Vector.AsVectorInt32(mask.V), Vector<int>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VecF WithSignOf(VecF magnitude, VecF sign) =>
        new(Vector.AsVectorSingle(Vector.AsVectorInt32(magnitude.V) | (Vector.AsVectorInt32(sign.V) & new Vector<int>(int.MinValue))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VecF Pow2(VecF n) => new(Vector.AsVectorSingle(Vector.ShiftLeft(Vector.ConvertToInt32Native(n.V) + new Vector<int>(127), 23)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VecF ScaleByPow2(VecF p, VecF n)
    {
        Vector<int> ni = Vector.ConvertToInt32Native(n.V);
        Vector<int> n1 = Vector.ShiftRightArithmetic(ni, 1);
        Vector<float> s1 = Vector.AsVectorSingle(Vector.ShiftLeft(n1 + new Vector<int>(127), 23));
        Vector<float> s2 = Vector.AsVectorSingle(Vector.ShiftLeft(ni - n1 + new Vector<int>(127), 23));
        return new(p.V * s1 * s2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VecF ReduceNormal(VecF x, out VecF k)
    {
        Vector<int> bits = Vector.AsVectorInt32(x.V) + new Vector<int>(0x3f800000 - 0x3f3504f3);
        k = new(Vector.ConvertToSingle(Vector.ShiftRightArithmetic(bits, 23) - new Vector<int>(127)));
        return new(Vector.AsVectorSingle((bits & new Vector<int>(0x007fffff)) + new Vector<int>(0x3f3504f3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VecF Reduce(VecF x, out VecF k)
    {
        Vector<int> tiny = Vector.LessThan(x.V, new Vector<float>(1.17549435e-38f));
        Vector<float> xs = Vector.ConditionalSelect(tiny, x.V * new Vector<float>(8388608f), x.V); // 2^23
        Vector<int> bits = Vector.AsVectorInt32(xs) + new Vector<int>(0x3f800000 - 0x3f3504f3);
        Vector<int> ki = Vector.ShiftRightArithmetic(bits, 23) - new Vector<int>(127) - (tiny & new Vector<int>(23));
        k = new(Vector.ConvertToSingle(ki));
        return new(Vector.AsVectorSingle((bits & new Vector<int>(0x007fffff)) + new Vector<int>(0x3f3504f3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Widen(VecF x, out VecD lower, out VecD upper)
    {
        Vector.Widen(x.V, out Vector<double> lo, out Vector<double> hi);
        lower = new(lo);
        upper = new(hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecF Narrow(VecD lower, VecD upper) => new(Vector.Narrow(lower.V, upper.V));
}

/// <summary><see cref="Vector512{T}"/> of double.</summary>
internal readonly struct Vec512D(Vector512<double> v) : ISimd<Vec512D, double>
{
    public readonly Vector512<double> V = v;

    public static int Count => Vector512<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(Vec512D a) => Vector512.Sum(a.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D Create(double value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D Load(ref double source, nuint offset) => new(Vector512.LoadUnsafe(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vec512D value, ref double destination, nuint offset) => value.V.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreStreaming(Vec512D value, double* destination) => Vector512.StoreAlignedNonTemporal(value.V, destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D operator +(Vec512D a, Vec512D b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D operator -(Vec512D a, Vec512D b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D operator *(Vec512D a, Vec512D b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D operator /(Vec512D a, Vec512D b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D operator -(Vec512D a) => new(-a.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D Fma(Vec512D a, Vec512D b, Vec512D c) => new(Vector512.FusedMultiplyAdd(a.V, b.V, c.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D Min(Vec512D a, Vec512D b) => new(Vector512.Min(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D ClampOrdered(Vec512D x, Vec512D lo, Vec512D hi) => new(Vector512.MinNative(Vector512.MaxNative(x.V, lo.V), hi.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D Max(Vec512D a, Vec512D b) => new(Vector512.Max(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D Abs(Vec512D a) => new(Vector512.Abs(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D Round(Vec512D a) => new(Vector512.Round(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D LessThan(Vec512D a, Vec512D b) => new(Vector512.LessThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D LessThanOrEqual(Vec512D a, Vec512D b) => new(Vector512.LessThanOrEqual(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D GreaterThan(Vec512D a, Vec512D b) => new(Vector512.GreaterThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D GreaterThanOrEqual(Vec512D a, Vec512D b) => new(Vector512.GreaterThanOrEqual(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D Equal(Vec512D a, Vec512D b) => new(Vector512.Equals(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512D Select(Vec512D mask, Vec512D a, Vec512D b) => new(Vector512.ConditionalSelect(mask.V, a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyTrue(Vec512D mask) => Vector512.ExtractMostSignificantBits(mask.V) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllTrue(Vec512D mask) => Vector512.ExtractMostSignificantBits(mask.V) == 0xFF;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512D WithSignOf(Vec512D magnitude, Vec512D sign) =>
        new((magnitude.V.AsInt64() | (sign.V.AsInt64() & Vector512.Create(long.MinValue))).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512D Pow2(Vec512D n) => new(Vector512.ShiftLeft(Vector512.ConvertToInt64Native(n.V) + Vector512.Create(1023L), 52).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512D ScaleByPow2(Vec512D p, Vec512D n)
    {
        Vector512<long> ni = Vector512.ConvertToInt64Native(n.V);
        Vector512<long> n1 = Vector512.ShiftRightArithmetic(ni, 1);
        Vector512<double> s1 = Vector512.ShiftLeft(n1 + Vector512.Create(1023L), 52).AsDouble();
        Vector512<double> s2 = Vector512.ShiftLeft(ni - n1 + Vector512.Create(1023L), 52).AsDouble();
        return new(p.V * s1 * s2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512D ReduceNormal(Vec512D x, out Vec512D k)
    {
        Vector512<long> hx = x.V.AsInt64() + Vector512.Create(0x3ff0000000000000L - 0x3fe6a09e667f3bcdL);
        k = new(Vector512.ConvertToDouble(Vector512.ShiftRightArithmetic(hx, 52) - Vector512.Create(0x3ffL)));
        return new(((hx & Vector512.Create(0x000fffffffffffffL)) + Vector512.Create(0x3fe6a09e667f3bcdL)).AsDouble());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512D Reduce(Vec512D x, out Vec512D k)
    {
        Vector512<long> tiny = Vector512.LessThan(x.V, Vector512.Create(2.2250738585072014e-308)).AsInt64();
        Vector512<double> xs = Vector512.ConditionalSelect(tiny.AsDouble(), x.V * Vector512.Create(18014398509481984.0), x.V);
        Vector512<long> hx = xs.AsInt64() + Vector512.Create(0x3ff0000000000000L - 0x3fe6a09e667f3bcdL);
        Vector512<long> ki = Vector512.ShiftRightArithmetic(hx, 52) - Vector512.Create(0x3ffL) + (tiny & Vector512.Create(-54L));
        k = new(Vector512.ConvertToDouble(ki));
        return new(((hx & Vector512.Create(0x000fffffffffffffL)) + Vector512.Create(0x3fe6a09e667f3bcdL)).AsDouble());
    }
}

/// <summary><see cref="Vector512{T}"/> of float.</summary>
internal readonly struct Vec512F(Vector512<float> v) : ISimdF<Vec512F, Vec512D>
{
    public readonly Vector512<float> V = v;

    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vec512F a) => Vector512.Sum(a.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F Create(float value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F Load(ref float source, nuint offset) => new(Vector512.LoadUnsafe(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vec512F value, ref float destination, nuint offset) => value.V.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreStreaming(Vec512F value, float* destination) => Vector512.StoreAlignedNonTemporal(value.V, destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F operator +(Vec512F a, Vec512F b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F operator -(Vec512F a, Vec512F b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F operator *(Vec512F a, Vec512F b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F operator /(Vec512F a, Vec512F b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F operator -(Vec512F a) => new(-a.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F Fma(Vec512F a, Vec512F b, Vec512F c) => new(Vector512.FusedMultiplyAdd(a.V, b.V, c.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F Min(Vec512F a, Vec512F b) => new(Vector512.Min(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F ClampOrdered(Vec512F x, Vec512F lo, Vec512F hi) => new(Vector512.MinNative(Vector512.MaxNative(x.V, lo.V), hi.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F Max(Vec512F a, Vec512F b) => new(Vector512.Max(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F Abs(Vec512F a) => new(Vector512.Abs(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F Round(Vec512F a) => new(Vector512.Round(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F LessThan(Vec512F a, Vec512F b) => new(Vector512.LessThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F LessThanOrEqual(Vec512F a, Vec512F b) => new(Vector512.LessThanOrEqual(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F GreaterThan(Vec512F a, Vec512F b) => new(Vector512.GreaterThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F GreaterThanOrEqual(Vec512F a, Vec512F b) => new(Vector512.GreaterThanOrEqual(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F Equal(Vec512F a, Vec512F b) => new(Vector512.Equals(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F Select(Vec512F mask, Vec512F a, Vec512F b) => new(Vector512.ConditionalSelect(mask.V, a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyTrue(Vec512F mask) => Vector512.ExtractMostSignificantBits(mask.V) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllTrue(Vec512F mask) => Vector512.ExtractMostSignificantBits(mask.V) == 0xFFFF;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512F WithSignOf(Vec512F magnitude, Vec512F sign) =>
        new((magnitude.V.AsInt32() | (sign.V.AsInt32() & Vector512.Create(int.MinValue))).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512F Pow2(Vec512F n) => new(Vector512.ShiftLeft(Vector512.ConvertToInt32Native(n.V) + Vector512.Create(127), 23).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512F ScaleByPow2(Vec512F p, Vec512F n)
    {
        Vector512<int> ni = Vector512.ConvertToInt32Native(n.V);
        Vector512<int> n1 = Vector512.ShiftRightArithmetic(ni, 1);
        Vector512<float> s1 = Vector512.ShiftLeft(n1 + Vector512.Create(127), 23).AsSingle();
        Vector512<float> s2 = Vector512.ShiftLeft(ni - n1 + Vector512.Create(127), 23).AsSingle();
        return new(p.V * s1 * s2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512F ReduceNormal(Vec512F x, out Vec512F k)
    {
        Vector512<int> bits = x.V.AsInt32() + Vector512.Create(0x3f800000 - 0x3f3504f3);
        k = new(Vector512.ConvertToSingle(Vector512.ShiftRightArithmetic(bits, 23) - Vector512.Create(127)));
        return new(((bits & Vector512.Create(0x007fffff)) + Vector512.Create(0x3f3504f3)).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512F Reduce(Vec512F x, out Vec512F k)
    {
        Vector512<int> tiny = Vector512.LessThan(x.V, Vector512.Create(1.17549435e-38f)).AsInt32();
        Vector512<float> xs = Vector512.ConditionalSelect(tiny.AsSingle(), x.V * Vector512.Create(8388608f), x.V);
        Vector512<int> bits = xs.AsInt32() + Vector512.Create(0x3f800000 - 0x3f3504f3);
        Vector512<int> ki = Vector512.ShiftRightArithmetic(bits, 23) - Vector512.Create(127) - (tiny & Vector512.Create(23));
        k = new(Vector512.ConvertToSingle(ki));
        return new(((bits & Vector512.Create(0x007fffff)) + Vector512.Create(0x3f3504f3)).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Widen(Vec512F x, out Vec512D lower, out Vec512D upper)
    {
        (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(x.V);
        lower = new(lo);
        upper = new(hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512F Narrow(Vec512D lower, Vec512D upper) => new(Vector512.Narrow(lower.V, upper.V));
}
