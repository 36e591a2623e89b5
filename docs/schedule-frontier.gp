# Quality against length of annealing schedules on the evaluation protocol (docs/evaluation.md):
#   gnuplot -c docs/schedule-frontier.gp docs/schedule-frontier.csv docs/schedule-frontier.png
# The CSV: run,label,steps,step_size,fid_like,inception_like,classes (one row per schedule run).
set terminal pngcairo size 960,520 font "DejaVu Sans,10"
set output ARG2
set datafile separator ","
set title "Bundled model, 256 samples, seed 1: FID-like distance against schedule length (lower is better)"
set xlabel "Langevin steps (sampling time is proportional)"
set ylabel "FID-like distance"
set logscale x
set xtics (300, 400, 450, 500, 600, 900, 2700)
set xrange [250:4000]
set yrange [60:560]
set grid
set key top right
set arrow from 250, 255.9 to 4000, 255.9 nohead dashtype 2 lc rgb "#888888"
set label "5% above the paper's schedule" at 2600, 263 right font ",8" tc rgb "#666666"
plot ARG1 skip 1 using 3:($4 == 0.02 ? $5 : 1/0) with points pt 7 ps 1.3 lc rgb "#d62728" title "step size 0.02 (the paper's)", \
     ARG1 skip 1 using 3:($4 != 0.02 ? $5 : 1/0) with points pt 5 ps 1.3 lc rgb "#1f77b4" title "larger step size", \
     ARG1 skip 1 using 3:($4 == 0.02 ? $5 : 1/0):2 with labels offset char 1,0.7 left font ",8" tc rgb "#333333" notitle, \
     ARG1 skip 1 using 3:($4 != 0.02 ? $5 : 1/0):2 with labels offset char 0.3,-1.0 right rotate by 60 font ",8" tc rgb "#1f4e79" notitle
