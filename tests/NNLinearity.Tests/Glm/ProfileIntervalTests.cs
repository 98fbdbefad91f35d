using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using NNLinearity.Formulas;
using NNLinearity.Glm;
using NNLinearity.Tests.Fixtures;
using NNLinearity.Tests.Formulas;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Glm;

/// <summary>Profile-likelihood intervals against MASS's confint for glm objects (Fixtures/make_profile.R), at 95% and 90%, on six fits.</summary>
public class ProfileIntervalTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() => RFixtures.NamedCases("profile_cases.json"));

    public static TheoryData<string> Names() => RFixtures.TheoryNames("profile_cases.json");

    private static GlmFit Fit(JsonElement c) => RFixtures.FitFormulaCase(c);

    [Theory]
    [MemberData(nameof(Names))]
    public void ProfileIntervalsMatchMass(string name)
    {
        JsonElement c = Cases.Value[name];
        GlmFit fit = Fit(c);
        var refit = new GlmOptions { Epsilon = 1e-12, MaxIterations = 100 };
        foreach ((double level, string key) in new[] { (0.95, "profile95"), (0.90, "profile90") })
        {
            IReadOnlyList<ConfidenceInterval> ci = fit.ProfileConfidenceIntervals(level, refit);
            double[] lo = c.Doubles(key + "_lower"), hi = c.Doubles(key + "_upper");
            for (int j = 0; j < lo.Length; j++)
            {
                double width = hi[j] - lo[j];
                Tolerance.Equal(lo[j], ci[j].Lower, 1e-5, 1e-5 * width, $"{key} lower {j}");
                Tolerance.Equal(hi[j], ci[j].Upper, 1e-5, 1e-5 * width, $"{key} upper {j}");
            }
        }

        IReadOnlyList<ConfidenceInterval> wald = fit.ConfidenceIntervals(0.95);
        double[] wl = c.Doubles("wald95_lower");
        for (int j = 0; j < wl.Length; j++) Tolerance.Equal(wl[j], wald[j].Lower, 1e-7, 1e-9, $"Wald lower {j}");
    }

    [Fact]
    public void SplineMatchesRsFmmSpline()
    {
        // R: spline(c(0, 1, 2.5, 4, 4.5), c(1, 3, 2, 5, 4), n = 7)$y
        (double[] gx, double[] gy) = RSpline.Fmm([0, 1, 2.5, 4, 4.5], [1, 3, 2, 5, 4], 7);
        double[] expected = [1, 2.9415577816492453, 2.5688734030197447, 1.8782665505226477, 3.0283391405342623, 4.8313734030197448, 4];
        for (int i = 0; i < 7; i++) Tolerance.Equal(expected[i], gy[i], 1e-12, 1e-12, $"spline[{i}] at {gx[i]}");
        Assert.True(double.IsNaN(RSpline.Approx([1, 2, 3], [10, 20, 30], 3.5)));
        Assert.Equal(25, RSpline.Approx([1, 2, 3], [10, 20, 30], 2.5), 12);
    }
}
